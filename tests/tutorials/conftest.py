"""The tutorials' own files are run by test_tutorials.py, never collected as tests
(`cookbook/example_data/iterate/test_calc.py` fails on purpose: its bugs are planted)."""

collect_ignore = ["cookbook"]
