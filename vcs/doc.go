// Package vcs fetches the source trees of version control requirements
// (PEP 440 direct references such as "name @ git+https://host/repo.git@REV")
// so that they can be locked and built like local projects.
//
// Only git is supported, and only a requirement pinned to a full 40-hex
// commit: a branch, a tag, a short hash or no revision at all is a moving
// reference, and a lock that recorded one would install whatever the
// reference points at on the day of the install. ParseGit says so and shows
// how to find the commit.
//
// Checkout runs the system git, never with a terminal prompt, the user's or
// the system's git configuration, or inherited GIT_* variables that would
// change what is fetched (GIT_SSH and GIT_SSH_COMMAND are kept: they say how
// to reach a host, not what to fetch). The checkout lives in a cache
// directory named by the sha256 of the repository URL (without credentials)
// and the commit; it is made under a temporary name and renamed into place,
// so a present directory is complete, and its HEAD is checked on every use.
//
// Credentials in a URL ("https://user:token@host/repo.git") are used for the
// fetch and kept in memory only: every message shows the URL through
// GitRef.Redacted, and GitRef.PublicRepo (what a lock records) has no user
// information at all. An install from a lock alone (no requirement line
// with the credentials) authenticates as git does without configuration:
// ssh keys, or ~/.netrc for http(s).
//
// Differences from pip 23.2.1, which accepts any revision and clones the
// whole history: a revision must be a full commit; the fetch asks for that
// one commit (depth 1) and falls back to fetching every branch and tag only
// when the server refuses to serve a commit by its hash; git+git:// (an
// unauthenticated protocol) and the other version control systems are
// refused.
package vcs
