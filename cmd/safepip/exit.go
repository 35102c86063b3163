package main

import (
	"errors"

	"github.com/alecthomas/kong"

	"github.com/safepip/safepip/audit"
	"github.com/safepip/safepip/build"
	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/install"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/project"
	"github.com/safepip/safepip/pypa/reqfile"
	"github.com/safepip/safepip/resolver"
	"github.com/safepip/safepip/vcs"
	"github.com/safepip/safepip/verify"
)

// Exit codes, as DESIGN.md defines them.
const (
	exitOK         = 0
	exitCheck      = 1 // a check failed: stale lock, hash, attestation, audit finding
	exitUsage      = 2 // bad flag or malformed input
	exitResolution = 3 // no solution, or a project ambiguous between indexes
	exitNetwork    = 4 // an index failed after retries
	exitPip        = 5 // pip itself, or a build from source, failed
	exitLocalIO    = 6 // a local file system is full, read-only or refuses permission
)

// exitCode is the one switch from an error's kind to the exit code. The
// order matters: a wrapper's kind wins over what it wraps (an index failure
// inside a routing error is still a network failure, checked first).
func exitCode(err error) int {
	var (
		parseErr    *kong.ParseError
		inputErr    *project.InputError
		configErr   *config.Error
		reqErr      *reqfile.Error
		lockErr     *lock.ParseError
		inspectErr  *install.InspectError
		policyErr   *resolver.PolicyError
		ambiguous   *config.AmbiguousError
		notFound    *config.NotFoundError
		lockedIndex *config.LockedIndexError
		noSolution  *resolver.NoSolutionError
		network     *index.NetworkError
		indexErr    *config.IndexError
		pageErr     *index.PageError
		tooLarge    *index.TooLargeError
		pipErr      *install.PipError
		staleErr    *project.StaleError
		hashErr     *install.HashMismatchError
		metaErr     *install.MetadataMismatchError
		noFile      *install.NoFileError
		rootErr     *verify.RootError
		attestErr   *verify.AttestationError
		pubChange   *project.PublisherChangeError
		noAttest    *project.MissingAttestationError
		verifyErr   *project.VerifyFailedError
		installVer  *project.InstallVerifyError
		incomplete  *audit.IncompleteError
		exposure    *audit.ExposureError
		userHash    *project.HashError
		outside     *lock.OutsideScopeError
		backendErr  *build.BackendError
		buildEnvErr *build.EnvironmentError
		buildHash   *build.HashMismatchError
		buildMiss   *build.MissingRequirementsError
		buildSys    *build.BuildSystemError
		sdistErr    *build.SdistError
		unsupported *build.UnsupportedError
		revision    *vcs.RevisionError
		gitErr      *vcs.GitError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &rootErr) && errors.Is(rootErr, verify.ErrRootUpdate):
		return exitNetwork
	case errors.As(err, &rootErr) && errors.Is(rootErr, verify.ErrBadRoot):
		return exitUsage
	case errors.As(err, &attestErr), errors.As(err, &pubChange), errors.As(err, &noAttest),
		errors.As(err, &verifyErr), errors.As(err, &installVer), errors.As(err, &rootErr):
		return exitCheck
	case errors.As(err, &buildHash):
		return exitCheck // a verified build input changed: nothing was built
	case errors.As(err, &buildMiss):
		return exitResolution // a build needs what was not resolved and locked
	case errors.As(err, &gitErr):
		return exitNetwork // the repository could not be fetched
	case errors.As(err, &buildSys), errors.As(err, &sdistErr), errors.As(err, &unsupported), errors.As(err, &revision):
		return exitUsage // a source safepip cannot build as given
	case errors.As(err, &backendErr), errors.As(err, &buildEnvErr):
		return exitPip // the build failed; its output is in the message
	case errors.As(err, &parseErr), errors.As(err, &inputErr), errors.As(err, &configErr),
		errors.As(err, &reqErr), errors.As(err, &lockErr), errors.As(err, &inspectErr), errors.As(err, &policyErr):
		return exitUsage
	case errors.As(err, &incomplete), errors.As(err, &network), errors.As(err, &pageErr), errors.As(err, &tooLarge), errors.As(err, &indexErr):
		return exitNetwork
	case errors.As(err, &ambiguous), errors.As(err, &notFound), errors.As(err, &lockedIndex), errors.As(err, &noSolution):
		return exitResolution
	case errors.As(err, &pipErr):
		if _, ok := localIO(err); ok {
			return exitLocalIO // pip reports a full or read-only target environment
		}
		return exitPip
	case errors.As(err, &staleErr), errors.As(err, &hashErr), errors.As(err, &metaErr), errors.As(err, &noFile), errors.As(err, &exposure),
		errors.As(err, &userHash), errors.As(err, &outside):
		return exitCheck
	}
	// Last: any kind above wraps a path error for a reason of its own (a
	// file:// index that cannot be read is an index failure).
	if _, ok := localIO(err); ok {
		return exitLocalIO
	}
	return exitCheck
}
