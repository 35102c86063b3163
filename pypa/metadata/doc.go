// Package metadata parses Python core metadata, the METADATA and PKG-INFO
// files of wheels and source distributions (Metadata-Version 1.0 through
// 2.4, https://packaging.python.org/specifications/core-metadata/), and the
// WHEEL file of a wheel (PEP 427).
//
// Both are read as Python's email.parser reads them with the compat32
// policy, which is what pip (through importlib.metadata) and packaging use:
// lines end at "\r\n", "\r" or "\n"; a header is a name of printable ASCII
// other than ":" and space, a ":", and a value whose leading spaces and tabs
// are dropped; a line starting with a space or tab continues the header
// before it; the headers end at the first empty line or at the first line
// that is neither a header nor a continuation, which then starts the body.
// Headers is exactly what email.parser returns, except that line breaks
// inside a folded value are always "\n".
//
// Typed fields are derived from the headers. Single-use fields take the
// first occurrence, folded lines joined by dropping the line breaks
// (RFC 5322 unfolding). The description is the body when there is one,
// otherwise the Description header with the continuation prefix that
// setuptools writes (eight spaces, or seven spaces and "|") removed from
// each line.
//
// Deliberate differences from pip and packaging:
//   - Input must be UTF-8 (the spec requires it); a Content-Type header does
//     not make the body a MIME multipart message; RFC 2047 encoded words
//     are not decoded.
//   - Name, Version and Metadata-Version are required, and an invalid
//     Version, Requires-Dist or Requires-Python is an error naming its line,
//     where pip may skip or warn. Metadata-Version must be 1.0, 1.1, 1.2 or
//     2.x: the spec tells tools to refuse an unknown major version.
//   - Provides-Extra values are normalized (PEP 685).
//   - Sizes are limited against hostile input: MaxBytes, MaxHeaders,
//     MaxHeaderBytes.
package metadata
