package main

import (
	"errors"

	"github.com/alecthomas/kong"
)

// Exit codes, as DESIGN.md defines them.
const (
	exitOK         = 0
	exitCheck      = 1 // a check failed: stale lock, hash, attestation, audit finding
	exitUsage      = 2 // bad flag or malformed input
	exitResolution = 3 // no solution, or a project ambiguous between indexes
	exitNetwork    = 4 // an index failed after retries
	exitPip        = 5 // pip itself failed
)

// exitCode is the one switch from an error's kind to the exit code.
func exitCode(err error) int {
	var parseErr *kong.ParseError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &parseErr):
		return exitUsage
	}
	return exitCheck
}
