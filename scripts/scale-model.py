#!/usr/bin/env python3
"""Builds a larger ArchiMate exchange-format model by replicating one.

Usage: scale-model.py INPUT OUTPUT FACTOR

The items of <elements>, <relationships>, <organizations> and the views
(<views>/<diagrams>; format 2.1: <organization> and <views>) are written FACTOR
times. In copy N every identifier defined in those sections, and every
reference to one, gets the suffix "-cN", so the result has no duplicate
identifiers and no dangling references. Everything else (the model header,
property definitions, references to them) is kept once, as is.
"""
import sys
import xml.etree.ElementTree as ET

# Attributes that hold an identifier or a reference to one, lower-cased
# (format 2.1 spells them elementref, relationshipref, identifierref).
ID_ATTRS = {"identifier", "source", "target", "elementref", "relationshipref",
            "identifierref", "ref", "propertydefinitionref"}


def local(tag):
    return tag.rsplit("}", 1)[-1]


def child(parent, name):
    return next((c for c in parent if local(c.tag) == name), None)


def containers(root):
    """The elements whose children are replicated."""
    found = [child(root, n)  # format 2.1 says <organization>
             for n in ("elements", "relationships", "organizations", "organization")]
    views = child(root, "views")
    if views is not None:
        diagrams = child(views, "diagrams")
        found.append(diagrams if diagrams is not None else views)
    return [c for c in found if c is not None]


def copy_with_suffix(node, ids, suffix):
    """A deep copy of node where every attribute naming one of ids is suffixed."""
    new = ET.Element(node.tag, {
        k: (v + suffix if local(k).lower() in ID_ATTRS and v in ids else v)
        for k, v in node.attrib.items()
    })
    new.text, new.tail = node.text, node.tail
    new.extend(copy_with_suffix(c, ids, suffix) for c in node)
    return new


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[2])
    src, dst, factor = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if factor < 1:
        sys.exit("FACTOR must be at least 1")

    # Keep the input's prefixes (default namespace, xsi) on output.
    for _, (prefix, uri) in ET.iterparse(src, events=("start-ns",)):
        ET.register_namespace(prefix, uri)
    tree = ET.parse(src)
    boxes = containers(tree.getroot())

    # Identifiers defined inside the replicated sections: only these move.
    ids = {n.get("identifier") for box in boxes for n in box.iter()}
    ids.discard(None)

    for box in boxes:
        items = list(box)
        box[:] = [copy_with_suffix(item, ids, f"-c{n}")
                  for n in range(1, factor + 1) for item in items]
    tree.write(dst, encoding="UTF-8", xml_declaration=True)


if __name__ == "__main__":
    main()
