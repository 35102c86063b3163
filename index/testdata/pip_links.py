"""Parse simple-API pages with pip's own link collector, for the
differential test in parse_pip_test.go.

stdin: a JSON list of {"url", "content_type", "body"}; stdout: for each page,
the list of links pip found, with the fields safepip compares.
"""
import json
import sys

from pip._internal.index.collector import IndexContent, parse_links

out = []
for page in json.load(sys.stdin):
    content = IndexContent(page["body"].encode(), page["content_type"], "utf-8", page["url"])
    links = []
    for link in parse_links(content):
        meta = link.metadata_file_data
        links.append({
            "url": link.url_without_fragment,
            "filename": link.filename,
            "requires_python": link.requires_python or "",
            "yanked": link.yanked_reason is not None,
            "yanked_reason": link.yanked_reason or "",
            "core_metadata": meta is not None,
            "core_metadata_hashes": (meta.hashes or {}) if meta is not None else {},
            "hashes": dict(link._hashes or {}),
        })
    out.append(links)
json.dump(out, sys.stdout)
