from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    """The logged-in user's start page (the reporting work replaces this with units and dues)."""
    return render(request, "reporting/home.html", {})
