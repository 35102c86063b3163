package lock

import (
	"fmt"
	"slices"
	"strings"

	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/tags"
)

// OutsideScopeError is an environment a lock was not made for. It is not
// staleness: the lock is right for its scope, and only widening the scope
// (Key) and relocking lets it serve Env.
type OutsideScopeError struct {
	Env    string // "CPython 3.12.1 on linux x86_64"
	Scope  string // the scope's condition that env fails: `requires-python ">=3.10"`
	Key    string // what widens the scope: "[resolution] requires-python"
	Reason string // what about Env is outside: "Python 3.9.18 is not in >=3.10"
}

func (e *OutsideScopeError) Error() string {
	return fmt.Sprintf("%s is outside the lock's scope (%s): %s; widen %s and run `safepip lock`", e.Env, e.Scope, e.Reason, e.Key)
}

// Check returns nil when the environment described by its markers and its
// supported tags (best first) lies inside the scope, else an
// *OutsideScopeError naming the first condition it fails.
//
// The narrowing of an interpreter lock (Tags and Markers digests) is an
// exact match: the same interpreter build, as version 1 locks required. A
// Python of "3.11" holds for any 3.11.x; a Platform holds for an
// environment that installs wheels of that platform tag.
func (s *Scope) Check(env pep508.Environment, supported []tags.Tag) error {
	out := func(scope, key, reason string) error {
		return &OutsideScopeError{Env: DescribeEnvironment(env), Scope: scope, Key: key, Reason: reason}
	}
	const narrowed = "the narrowing flags (relock without --python, --python-version or --platform, or with this environment's)"
	full := env["python_full_version"]
	if s.RequiresPython != "" {
		spec, err := pep440.ParseSpecifierSet(s.RequiresPython)
		if err != nil {
			return fmt.Errorf("[scope] requires-python %q: %w", s.RequiresPython, err)
		}
		v, err := pep440.Parse(full)
		if err != nil {
			return fmt.Errorf("environment reports python_full_version %q: %w", full, err)
		}
		if !spec.Contains(v, pep440.PrereleasesAllow) {
			return out(fmt.Sprintf("requires-python %q", s.RequiresPython), "[resolution] requires-python",
				fmt.Sprintf("Python %s is not in %s", full, s.RequiresPython))
		}
	}
	if len(s.Environments) > 0 {
		held := false
		for _, m := range s.Environments {
			ok, err := evalMarker(m, env)
			if err != nil {
				return fmt.Errorf("[scope] environments: %w", err)
			}
			held = held || ok
		}
		if !held {
			return out(fmt.Sprintf("environments %s", quoteList(s.Environments)), "[resolution] environments",
				"none of the markers holds for it")
		}
	}
	if s.Python != "" {
		have := full
		if strings.Count(s.Python, ".") < 2 {
			have = env["python_version"]
		}
		if have != s.Python {
			return out(fmt.Sprintf("python %q", s.Python), narrowed, fmt.Sprintf("its Python is %s", have))
		}
	}
	if s.Implementation != "" && s.Implementation != env["implementation_name"] {
		return out(fmt.Sprintf("implementation %q", s.Implementation), narrowed,
			fmt.Sprintf("its implementation is %q", env["implementation_name"]))
	}
	if s.Platform != "" && !slices.ContainsFunc(supported, func(t tags.Tag) bool { return t.Platform == s.Platform }) {
		return out(fmt.Sprintf("platform %q", s.Platform), narrowed, "it does not install wheels of that platform")
	}
	if s.Tags != "" && s.Tags != TagsDigest(supported) {
		return out("the tags of the interpreter it was locked with", narrowed, "its wheel tags differ")
	}
	if s.Markers != "" && s.Markers != MarkersDigest(env) {
		return out("the marker environment of the interpreter it was locked with", narrowed, "its marker environment differs")
	}
	return nil
}

// TagsDigest is Scope.Tags for an interpreter's ordered tag list.
func TagsDigest(ts []tags.Tag) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.String()
	}
	return Digest([]byte(strings.Join(names, " ")))
}

// MarkersDigest is Scope.Markers for an interpreter's marker environment.
func MarkersDigest(env pep508.Environment) string {
	kv := make([]string, 0, len(env))
	for k, v := range env {
		kv = append(kv, k+"="+v)
	}
	slices.Sort(kv)
	return Digest([]byte(strings.Join(kv, "\n")))
}

// DescribeEnvironment names an environment for messages:
// "CPython 3.12.1 on linux x86_64".
func DescribeEnvironment(env pep508.Environment) string {
	impl := env["platform_python_implementation"]
	if impl == "" {
		impl = "Python"
	}
	v := env["python_full_version"]
	if v == "" {
		v = env["python_version"]
	}
	return strings.TrimSpace(fmt.Sprintf("%s %s on %s %s", impl, v, env["sys_platform"], env["platform_machine"]))
}

// evalMarker evaluates one marker string of the lock.
func evalMarker(marker string, env pep508.Environment) (bool, error) {
	m, err := pep508.ParseMarker(marker)
	if err != nil {
		return false, fmt.Errorf("marker %q: %w", marker, err)
	}
	ok, err := m.Evaluate(env)
	if err != nil {
		return false, fmt.Errorf("marker %q: %w", marker, err)
	}
	return ok, nil
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// Describe names the scope for people: "Python >=3.9 where sys_platform ==
// 'linux'", "Python 3.11 (cpython) on manylinux_2_17_x86_64", or "every
// environment".
func (s *Scope) Describe() string {
	var parts []string
	if s.RequiresPython != "" {
		parts = append(parts, "Python "+s.RequiresPython)
	}
	if s.Python != "" {
		parts = append(parts, "Python "+s.Python)
	}
	if s.Implementation != "" {
		parts = append(parts, "("+s.Implementation+")")
	}
	if s.Platform != "" {
		parts = append(parts, "on "+s.Platform)
	}
	if len(s.Environments) > 0 {
		parts = append(parts, "where "+strings.Join(s.Environments, " or "))
	}
	if s.Tags != "" || s.Markers != "" {
		parts = append(parts, "(one interpreter's tags and markers)")
	}
	if len(parts) == 0 {
		return "every environment"
	}
	return strings.Join(parts, " ")
}
