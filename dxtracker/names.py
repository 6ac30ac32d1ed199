"""People's names as Vietnamese write them: family name first ("Nguyễn Văn Hùng")."""


def full_name(user) -> str:
    """The user's name in Vietnamese order (họ, tên đệm, tên), else the username.

    Django's `get_full_name()` puts the given name first ("Hùng Nguyễn Văn"), which no
    Vietnamese reader writes; `last_name` holds họ and tên đệm, `first_name` the tên, as the
    admin's Vietnamese labels ("Họ", "Tên") ask.
    """
    if user is None:
        return ""
    name = " ".join(part for part in (user.last_name.strip(), user.first_name.strip()) if part)
    return name or user.get_username()
