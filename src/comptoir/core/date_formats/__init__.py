"""Django format modules (FORMAT_MODULE_PATH): how English pages write dates and times on this node.

Django's own English is American (11/13/2026, 2:30 p.m.): on a French or Québec node a reader takes
12/08/2026 for the 12th of August. English pages write day before month and a 24-hour clock, as the
shops' opening hours and the slots already do (« Wed 2 Dec », 17:00–19:00)."""
