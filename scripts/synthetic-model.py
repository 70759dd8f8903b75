#!/usr/bin/env python3
"""Writes a synthetic ArchiMate exchange-format model of a given size.

Usage: synthetic-model.py OUTPUT [ELEMENTS] [RELATIONSHIPS] [SEED]
       (defaults: 100000 elements, 200000 relationships, seed 1)

The model is shaped like an application landscape, so that archgen has
something to generate from every part of it: application components (some of
them aggregators), the data objects they read and write (tables; some named
as daily metrics), services they realise and interfaces that serve them,
functions assigned to them, events that trigger them, and around them
business, technology and motivation elements (principles and constraints
become architecture decision records). Relationships follow ArchiMate's
meaning where archgen reads them (Access, Realization, Assignment,
Triggering, Serving); the rest are Associations and Compositions between
random elements. Names repeat across the model as real ones do ("Orders 12",
"Orders 513"). The same arguments always give the same bytes.
"""
import random
import sys
from xml.sax.saxutils import escape, quoteattr

# Element types and their share of the elements.
MIX = [
    ("ApplicationComponent", 0.04),
    ("DataObject", 0.08),
    ("ApplicationService", 0.04),
    ("ApplicationInterface", 0.02),
    ("ApplicationFunction", 0.04),
    ("ApplicationEvent", 0.01),
    ("BusinessActor", 0.05),
    ("BusinessRole", 0.05),
    ("BusinessProcess", 0.12),
    ("BusinessFunction", 0.10),
    ("BusinessObject", 0.10),
    ("BusinessService", 0.06),
    ("Node", 0.04),
    ("SystemSoftware", 0.03),
    ("Artifact", 0.03),
    ("Requirement", 0.09),
    ("Principle", 0.01),
    ("Constraint", 0.01),
    ("Goal", 0.04),
]
NOUNS = ["Orders", "Customers", "Invoices", "Payments", "Shipments", "Products",
         "Accounts", "Claims", "Policies", "Tickets", "Events", "Sessions",
         "Refunds", "Subscriptions", "Plans", "Regions", "Warehouses", "Audits"]


def main():
    args = sys.argv[1:]
    if not 1 <= len(args) <= 4:
        sys.exit(__doc__.strip().splitlines()[2])
    out = args[0]
    n_el = int(args[1]) if len(args) > 1 else 100_000
    n_rel = int(args[2]) if len(args) > 2 else 200_000
    rnd = random.Random(int(args[3]) if len(args) > 3 else 1)

    elements = []  # (id, type, name)
    by_type = {t: [] for t, _ in MIX}
    counts = [max(1, int(n_el * share)) for _, share in MIX]
    counts[MIX.index(("BusinessProcess", 0.12))] += n_el - sum(counts)
    for k, ((t, _), count) in enumerate(zip(MIX, counts)):
        for i in range(count):
            noun = NOUNS[rnd.randrange(len(NOUNS))]
            if t == "DataObject" and i % 20 == 0:
                name = f"Daily {noun} {i}"
            elif t == "ApplicationComponent" and i % 25 == 0:
                name = f"{noun} Aggregator {i}"
            elif t == "ApplicationComponent" and i % 25 == 1:
                name = f"{noun} Ingestion {i}"
            else:
                name = f"{noun} {t.replace('Application', '').replace('Business', '')} {i}"
            ident = f"id-{k}-{i}"
            elements.append((ident, t, name))
            by_type[t].append(ident)

    def pick(t):
        ids = by_type[t]
        return ids[rnd.randrange(len(ids))]

    rels = []  # (type, source, target, accessType)
    # What archgen reads, in proportion; then filler.
    shaped = [
        (0.12, lambda: ("Access", pick("ApplicationComponent"), pick("DataObject"),
                        rnd.choice(["Read", "Write", "ReadWrite", None]))),
        (0.06, lambda: ("Access", pick("ApplicationFunction"), pick("DataObject"), "Read")),
        (0.04, lambda: ("Realization", pick("ApplicationComponent"), pick("ApplicationService"), None)),
        (0.03, lambda: ("Assignment", pick("ApplicationComponent"), pick("ApplicationFunction"), None)),
        (0.02, lambda: ("Assignment", pick("ApplicationInterface"), pick("ApplicationService"), None)),
        (0.02, lambda: ("Composition", pick("ApplicationComponent"), pick("ApplicationInterface"), None)),
        (0.03, lambda: ("Serving", pick("ApplicationService"), pick("ApplicationComponent"), None)),
        (0.02, lambda: ("Triggering", pick("ApplicationEvent"), pick("ApplicationComponent"), None)),
        (0.03, lambda: ("Realization", pick("DataObject"), pick("BusinessObject"), None)),
        (0.02, lambda: ("Realization", pick("Artifact"), pick("ApplicationComponent"), None)),
        (0.02, lambda: ("Assignment", pick("SystemSoftware"), pick("Artifact"), None)),
        (0.01, lambda: ("Composition", pick("Node"), pick("SystemSoftware"), None)),
    ]
    for share, make in shaped:
        for _ in range(int(n_rel * share)):
            rels.append(make())
    while len(rels) < n_rel:
        a = elements[rnd.randrange(len(elements))][0]
        b = elements[rnd.randrange(len(elements))][0]
        rels.append((rnd.choice(["Association", "Association", "Composition"]), a, b, None))

    with open(out, "w", encoding="utf-8") as f:
        w = f.write
        w('<?xml version="1.0" encoding="UTF-8"?>\n')
        w('<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/" '
          'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="id-synthetic">\n')
        w(f"  <name xml:lang=\"en\">Synthetic landscape ({n_el} elements)</name>\n  <elements>\n")
        for ident, t, name in elements:
            w(f'    <element identifier="{ident}" xsi:type="{t}"><name xml:lang="en">{escape(name)}</name>'
              f'<documentation xml:lang="en">{escape(name)} of the synthetic landscape.</documentation></element>\n')
        w("  </elements>\n  <relationships>\n")
        for i, (t, a, b, access) in enumerate(rels):
            extra = f" accessType={quoteattr(access)}" if access else ""
            w(f'    <relationship identifier="id-rel-{i}" source="{a}" target="{b}" xsi:type="{t}"{extra}/>\n')
        w("  </relationships>\n</model>\n")


if __name__ == "__main__":
    main()
