package main

// pipConfigHelp says which of pip's own settings safepip reads, and how:
// the end of lock's, install's and verify's --help.
const pipConfigHelp = `pip's own configuration is read as pip install reads it: the files
$PIP_CONFIG_FILE, the site file pip.conf in the target interpreter's
sys.prefix (install, lock --python) or $VIRTUAL_ENV, ~/.config/pip/pip.conf (or
$XDG_CONFIG_HOME/pip/pip.conf), ~/.pip/pip.conf, /etc/xdg/pip/pip.conf
(or $XDG_CONFIG_DIRS) and /etc/pip.conf, their [global] then [install]
sections, then the variables PIP_INDEX_URL, PIP_EXTRA_INDEX_URL,
PIP_FIND_LINKS, PIP_NO_INDEX, PIP_PRE, PIP_CONSTRAINT, PIP_REQUIRE_HASHES,
PIP_ONLY_BINARY (wheels only, safepip's default anyway), PIP_TIMEOUT and
PIP_RETRIES. PIP_CONFIG_FILE=/dev/null (nul on Windows) turns the files off. PIP_NO_BINARY
is refused (exit 2): safepip does not build from source on request yet.

Precedence, as pip: the command line, then requirements files (a file's
--index-url replaces pip's index URLs, extra ones included), then the
environment, then pip's files. The command line's --extra-index-url,
--find-links and -c add to the lists pip's configuration gives, as in pip.
Unlike pip, the command line's --index-url wins over a requirements
file's. safepip.toml's packages pins apply on top and are never widened. An extra index from pip's configuration is an
extra index like any other: a project on two indexes is exit 3. Every
index says where it was declared (lock's report and --json "indexes").`

// inputsHelp says what lock and install take as their inputs.
const inputsHelp = `Inputs, as pip, pip-tools and uv users write them: -r and -c files (a set:
a file named twice is read once) with their options, --hash constraining the
files that may be locked and --require-hashes requiring one on every line;
requirements as arguments (install adds them to what the lock was asked
for); and, with no -r (or with --project DIR), pyproject.toml's [project]
dependencies, the extras chosen with --extra/--all-extras and the PEP 735
groups chosen with --group/--all-groups. With none of these: exit 2,
nothing to lock.

`

// Help is lock's long help.
func (lockCmd) Help() string {
	return `Resolves the requirements (-r files, positional requirements, or the
project's pyproject.toml) into safepip.lock, each project from one index.

` + inputsHelp + pipConfigHelp
}

// Help is install's long help.
func (installCmd) Help() string {
	return `Locks when the lock is missing or stale (--frozen refuses instead),
downloads and verifies every file, then runs pip with --no-index
--no-deps --require-hashes on local files only.

` + inputsHelp + pipConfigHelp
}

// Help is verify's long help.
func (verifyCmd) Help() string {
	return `Re-checks the lock: files' sha256 and attestations, publisher pins, and
with --installed the environment. Indexes come from safepip.toml and
pip's configuration (as lock reads it), for credentials and provenance.

` + pipConfigHelp
}
