from tests.targets.seeding import seeded, seeded_module, seeds_dir  # noqa: F401
