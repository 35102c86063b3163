// Package reqfile parses pip requirements files (requirements.txt) the way
// pip 23.2.1 reads them (pip/_internal/req/req_file.py), without touching the
// file system or the network.
//
// A file goes through pip's steps in pip's order: the text is split into
// lines with Python's str.splitlines rules; a line ending in a backslash is
// joined with the next one (a comment line ends the join); comments, a "#" at
// the start of a line or after whitespace, are removed and blank lines
// dropped; ${NAME} references (upper case letters, digits and "_" only) are
// replaced through Options.Getenv when the variable is set and not empty.
// Each line is then split at its first word starting with "-": the words
// before are the requirement, the rest are options, split like a POSIX shell
// (Python's shlex) and read like Python's optparse, long-option abbreviations
// ("--index" for "--index-url") included.
//
// The options pip accepts in a file are supported: -i/--index-url
// (--pypi-url), --extra-index-url, --no-index, -f/--find-links, --pre,
// --no-binary, --only-binary, --prefer-binary, --require-hashes,
// --trusted-host, --use-feature, -r/--requirement, -c/--constraint and
// -e/--editable, plus the per-requirement options --hash, --global-option
// and -C/--config-settings. Anything else is an error, as in pip.
//
// Nested files named by -r and -c are read through Options.Open, with the
// name joined to the including file's directory (or URL), as pip does.
//
// Each requirement keeps pip's text and is classified: a PEP 508
// requirement (KindName), a URL (KindURL) or a local path (KindPath). As in
// pip, a wheel URL or path must have a valid wheel file name, an #egg=
// fragment must be a valid name, and an editable version control URL needs
// one. Errors name the file and line, quote the text, and show URLs with
// their user information replaced by "***".
//
// Deliberate differences from pip:
//   - An include cycle is an error naming the chain; pip recurses until
//     Python's recursion limit. Sizes, nesting and ${NAME} references are limited
//     (MaxFileBytes, MaxTotalBytes, MaxDepth, MaxFiles, MaxVarsPerLine).
//   - Files must be UTF-8 (a UTF-8 BOM is skipped; UTF-16 with a BOM is
//     decoded); pip also honours "# -*- coding:" declarations and the locale.
//   - Whether a path names a directory or a file is not checked: "./pkg" and
//     "dist/x.whl" are KindPath requirements and the caller checks that
//     they exist (a path that is not an archive must be a project
//     directory). pip decides some of these cases by looking at the disk:
//     text that looks like a path but parses as a PEP 508 requirement is
//     taken as the requirement.
//   - A --hash digest must be lower-case hex of the algorithm's length; pip
//     accepts any text and then fails at install time because it never
//     matches.
//   - A --hash on a line without a requirement is kept as a Warning; pip
//     logs a warning.
//   - Options other than --no-binary/--only-binary on a requirement line are
//     ignored as pip ignores them, and so are --hash, --global-option and
//     --config-settings on an editable line; each is reported as a Warning.
package reqfile
