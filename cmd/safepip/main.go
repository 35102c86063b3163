// Command safepip is a drop-in frontend for pip that makes dependency
// confusion impossible: every project resolves from exactly one declared
// index, a lock records hashes and publishers, and pip only ever installs
// local, hash-checked files.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/alecthomas/kong"

	"github.com/safepip/safepip/project"
	"github.com/safepip/safepip/pypa/reqfile"
)

// version is the safepip release; the lock records it as created-by.
const version = "0.1.0"

// globals are the flags every command takes.
type globals struct {
	JSON    bool `help:"Print a machine-readable JSON report on stdout."`
	Quiet   bool `short:"q" help:"Print only errors."`
	Verbose bool `short:"v" help:"Print more detail."`
	network
}

type cli struct {
	globals

	Install     installCmd     `cmd:"" help:"Install requirements (-r files with their --hash options, NAME arguments, or pyproject.toml) the safe way: lock, download and verify every file, then pip with --no-index --no-deps --require-hashes; --exact as pip-sync."`
	Lock        lockCmd        `cmd:"" help:"Resolve requirements (-r files, NAME arguments, or pyproject.toml with --extra/--group) into safepip.lock: versions, one index per project, every file's sha256 (--hash options constrain them)."`
	Export      exportCmd      `cmd:"" help:"Write the lock in another format: a PEP 751 pylock.toml or a hashed requirements.txt for plain pip."`
	Placeholder placeholderCmd `cmd:"" help:"Build a placeholder wheel and sdist that reserve a private project's name on a public index."`
	Audit       auditCmd       `cmd:"" help:"Find the private project names that plain pip would take, or anyone could take, from the public index."`
	Verify      verifyCmd      `cmd:"" help:"Re-check the lock before deploy: every file's sha256 and attestation, publisher pins, and with --installed the environment."`
	Trust       trustCmd       `cmd:"" help:"Manage the Sigstore trusted root that attestations are verified against."`
	Version     versionCmd     `cmd:"" help:"Print the safepip version."`
}

// env is what a command may touch of the process: its streams and
// environment. Tests run commands with their own.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) (string, bool)
	args           []string
	terminal       bool // stderr is a terminal: show progress
	// summary are Markdown lines a command adds to the GitHub step
	// summary (github.go).
	summary []string
}

func main() {
	e := &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.LookupEnv, args: os.Args[1:], terminal: isTerminal(os.Stderr)}
	os.Exit(run(e))
}

// run parses e.args, runs the command and returns the exit code.
func run(e *env) int {
	var c cli
	parser, err := kong.New(&c,
		kong.Name("safepip"),
		kong.Description("A pip frontend that resolves every project from exactly one index and installs only hash-checked files.\n\n"+
			"It reads what pip reads: requirements files with their options, pip's configuration files (pip.conf) and "+
			"PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, PIP_FIND_LINKS, PIP_NO_INDEX, PIP_PRE, PIP_CONSTRAINT, PIP_REQUIRE_HASHES, "+
			"PIP_NO_BINARY, PIP_ONLY_BINARY, PIP_TIMEOUT, PIP_RETRIES, in pip's precedence. See `safepip lock --help`."),
		kong.Writers(e.stdout, e.stderr),
		// --help ends parsing through Exit; unwind to here instead of
		// leaving the process, so the exit code stays ours.
		kong.Exit(func(code int) { panic(helpExit(code)) }),
		kong.Bind(e),
	)
	if err != nil {
		panic(err) // the CLI definition itself is wrong: a bug
	}
	ctx, err := parse(parser, e.args)
	if err != nil {
		code := report(e, err)
		fmt.Fprintln(e.stderr, "safepip: hint: run \"safepip --help\" for usage")
		return code
	}
	if ctx == nil { // help was printed
		return exitOK
	}
	code := exitOK
	err = ctx.Run(&c.globals)
	if err != nil {
		code = report(e, err)
	}
	e.writeStepSummary(code, err)
	return code
}

// helpExit is the panic value kong's Exit hook raises after printing help.
type helpExit int

func parse(parser *kong.Kong, args []string) (ctx *kong.Context, err error) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(helpExit); !ok {
				panic(r)
			}
			ctx, err = nil, nil
		}
	}()
	return parser.Parse(args)
}

// report prints err, and the hint it carries if any, and returns its exit code.
func report(e *env, err error) int {
	fmt.Fprintf(e.stderr, "safepip: %v\n", err)
	e.annotate(err)
	var reqErr *reqfile.Error
	if errors.As(err, &reqErr) && reqErr.Hint != "" {
		fmt.Fprintf(e.stderr, "safepip: hint: %s\n", reqErr.Hint)
	}
	if h := hint(err); h != "" {
		fmt.Fprintf(e.stderr, "safepip: hint: %s\n", h)
	}
	return exitCode(err)
}

// project returns the workflow environment of this process.
func (e *env) project(g *globals) *project.Env {
	dir, err := os.Getwd()
	if err != nil {
		dir = "."
	}
	pe := &project.Env{Dir: dir, Getenv: e.getenv, CacheDir: cacheDir(e), NetrcPath: netrcPath(e), Network: g.network.settings()}
	if g.Verbose {
		pe.Logf = func(format string, args ...any) { fmt.Fprintf(e.stderr, "safepip: "+format+"\n", args...) }
	}
	if e.terminal && !g.Quiet && !g.JSON && !g.Verbose {
		pe.Status = func(line string) {
			// \r and erase-line: the status line replaces itself.
			fmt.Fprintf(e.stderr, "\r\033[K%s", line)
		}
	}
	return pe
}

// cacheDir is $SAFEPIP_CACHE_DIR, else the user cache directory + /safepip.
func cacheDir(e *env) string {
	if d, ok := e.getenv("SAFEPIP_CACHE_DIR"); ok && d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "safepip")
	}
	return ""
}

// isTerminal reports whether f is a character device (a terminal), where a
// progress line belongs; CI logs and pipes get none.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
