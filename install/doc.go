// Package install installs a lock into a Python environment: it inspects
// the target interpreter, chooses the best locked wheel for it, downloads
// and hash-checks every file into a content-addressed cache, and only then
// runs pip with --no-index --no-deps --require-hashes on local paths.
package install
