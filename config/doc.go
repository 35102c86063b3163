// Package config reads safepip's configuration and routes every project to
// exactly one index.
//
// # Files
//
// The configuration lives in safepip.toml, or in the [tool.safepip] table of
// pyproject.toml. When a directory holds both a safepip.toml and a
// pyproject.toml with a [tool.safepip] table, Load refuses with an error
// naming both: silently ignoring one of them could drop a "packages" pin,
// which is the protection itself. A pyproject.toml without [tool.safepip] is
// ignored.
//
//	[[index]]
//	name = "pypi"
//	url = "https://pypi.org/simple"
//	default = true
//
//	[[index]]
//	name = "internal"
//	url = "https://${INTERNAL_USER}:${INTERNAL_TOKEN}@pypi.internal.example/simple"
//	packages = ["torchtriton", "acme-*"]
//	format = "simple"              # or "flat": a --find-links page or directory
//
//	[policy]
//	allow-sdist = ["legacy-thing"]  # or true
//	exclude-newer = "2026-11-01T00:00:00Z"
//	min-release-age = "7d"          # units w, d, h, m, s; "1d12h" adds up
//	attestations = "verify"         # off | verify | require
//	require-attestations = ["torch"]
//	trusted-root = "trusted_root.json"  # relative to the configuration file
//	build-constraints = "build-constraints.txt"  # pip's -c format; constrains every build-dependency resolution
//	no-build-isolation = ["needs-numpy"]  # built in the target environment itself, nothing locked for it
//
//	[policy.publishers]
//	requests = "github:psf/requests"
//	torch = { publisher = "github:pytorch/pytorch", workflow = "release.yml" }
//	acme-lib = "gitlab:acme/libs/acme-lib"
//	google-thing = "google:release@example.com"
//
// A publisher is "github:OWNER/REPO", "gitlab:GROUP/[SUBGROUP/...]PROJECT" or
// "google:EMAIL". A workflow is pinned with the inline-table form; a bare
// GitHub workflow file name such as "release.yml" means
// ".github/workflows/release.yml".
//
// Unknown keys and malformed values are errors naming the file, line, key and
// what is allowed. URLs may hold ${VAR} references, expanded when the
// configuration is built (New); an unset variable is an error.
//
// # Merging
//
// New merges the file with the index options of requirements files
// (--index-url, --extra-index-url, --find-links, --no-index), the same
// command-line flags, and pip's own configuration (ReadPip). The default
// index is, in order of precedence: the command line's --index-url; the
// --index-url of the requirements files (two different ones are an error);
// pip's index-url (PIP_INDEX_URL, pip.conf); the index marked
// default = true; PyPI. Each --extra-index-url and --find-links adds an
// index without "packages", named after its host (or directory), unless an
// index with the same URL is already declared; pip's lists come first, the
// command line's after them, then the requirements files', as pip orders
// them, and a requirements file's --index-url drops pip's extra index URLs
// as pip does. --no-index (from any of them) drops every simple index; a
// project pinned to a dropped index is then an error rather than a
// fall-back.
//
// pip's format control (--no-binary and --only-binary from pip's
// configuration, then the command line, then requirements files, each
// value applied in turn as pip's FormatControl does) changes [policy]
// allow-sdist: --only-binary takes a project's sdist away, --no-binary
// allows it and Config.NoBinary tells the resolver to leave the
// project's wheels out. It applies to runtime packages only: build
// dependencies are always wheels.
//
// # pip's configuration
//
// ParsePipConfig reads one pip.conf as configparser does, PipConfigFiles
// lists the files pip loads in its order, and ReadPip computes what they and
// the PIP_* variables give "pip install", with the source of every value
// ("PIP_INDEX_URL", "/etc/pip.conf:2 [global] index-url"), as pip 23.2.1
// does: see pipconf.go for the rules. The differential test in project
// compares the result with pip's own parser and finder.
//
// # Routing
//
// Router implements DESIGN.md "Declaring indexes": a project matching the
// "packages" of one index is asked there only; otherwise, when there are
// indexes without "packages" besides the default, all of those (the default
// included) are asked and the project must be found on exactly one;
// otherwise the default index alone is asked. Nothing an index serves widens
// routing, and a failing index is never replaced by another.
//
// # Credentials
//
// Index.URL keeps user information and expanded ${VAR} values for requests.
// Messages, Index.String and Config.Canonical use the URL as written, with
// ${VAR} references unexpanded and user information removed (RedactURL).
package config
