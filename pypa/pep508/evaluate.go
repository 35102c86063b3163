package pep508

import (
	"fmt"
	"strings"

	"github.com/safepip/safepip/pypa/pep440"
)

// Environment holds marker variable values by name: "python_version",
// "python_full_version", "os_name", "sys_platform", "platform_release",
// "platform_system", "platform_version", "platform_machine",
// "platform_python_implementation", "implementation_name",
// "implementation_version", and "extra".
type Environment map[string]string

// Evaluate evaluates m in env. A nil marker is true.
//
// A comparison is undefined when env lacks its variable, when it compares
// two variables or two strings, or when its operator is <, <=, >, >= or
// ~= and the values are not both versions. Evaluate returns an *EvalError
// for the first undefined comparison the result depends on; one that the
// rest of m decides is ignored, so that
// `sys_platform == "darwin" and platform_release >= "20.0"` is false on
// Linux, whose platform_release ("6.1.0-17-amd64") is no version.
func (m *Marker) Evaluate(env Environment) (bool, error) {
	if m == nil || m.root == nil {
		return true, nil
	}
	return m.root.eval(evaluator{env: env})
}

// EvaluateExtras evaluates m in env once per requested extra, with "extra"
// set to it, and reports whether any is true; with no extras it evaluates
// with extra "". This is pip's rule for a distribution's dependencies: a
// dependency of "pkg[x]" is one whose marker holds for extra "x". The
// dependencies of the bare "pkg" come from a call with no extras. An error
// for one extra is returned only when no other extra makes m true.
func (m *Marker) EvaluateExtras(env Environment, extras []string) (bool, error) {
	if m == nil || m.root == nil {
		return true, nil
	}
	if len(extras) == 0 {
		return m.root.eval(evaluator{env: env, extra: "", setExtra: true})
	}
	var unknown error
	for _, x := range extras {
		ok, err := m.root.eval(evaluator{env: env, extra: x, setExtra: true})
		if err == nil && ok {
			return true, nil
		}
		if err != nil && unknown == nil {
			unknown = err
		}
	}
	return false, unknown
}

// evaluator looks variables up in env, with "extra" overridden when setExtra.
type evaluator struct {
	env      Environment
	extra    string
	setExtra bool
}

func (ev evaluator) lookup(name string) (string, bool) {
	if name == "extra" && ev.setExtra {
		return ev.extra, true
	}
	v, ok := ev.env[name]
	return v, ok
}

// eval computes the "or" of the "and" runs of e. An undefined term (an
// error) is unknown: a false term still makes its run false and a true run
// still makes e true, whatever the unknown would have been.
func (e *expr) eval(ev evaluator) (bool, error) {
	var unknown error // why the result is not known yet
	for start := 0; start < len(e.terms); {
		end := start + 1
		for end < len(e.terms) && e.ops[end-1] == "and" {
			end++
		}
		ok, err := evalAnd(e.terms[start:end], ev)
		if err == nil && ok {
			return true, nil
		}
		if err != nil && unknown == nil {
			unknown = err
		}
		start = end
	}
	return false, unknown
}

// evalAnd evaluates one "and" run: false if a term is false, else unknown
// if a term is, else true.
func evalAnd(terms []term, ev evaluator) (bool, error) {
	var unknown error
	for _, t := range terms {
		var ok bool
		var err error
		if t.cmp != nil {
			ok, err = t.cmp.eval(ev)
		} else {
			ok, err = t.group.eval(ev)
		}
		switch {
		case err != nil:
			if unknown == nil {
				unknown = err
			}
		case !ok:
			return false, nil
		}
	}
	return unknown == nil, unknown
}

func (c *comparison) eval(ev evaluator) (bool, error) {
	if c.lhs.isVar == c.rhs.isVar {
		what := "two strings"
		if c.lhs.isVar {
			what = "two variables"
		}
		return false, c.errorf(ErrUndefinedComparison,
			"it compares %s; write a marker variable on one side and a quoted string on the other", what)
	}
	name, lhs, rhs := c.lhs.text, "", c.rhs.text
	if !c.lhs.isVar {
		name, lhs, rhs = c.rhs.text, c.lhs.text, ""
	}
	v, ok := ev.lookup(name)
	if !ok {
		return false, c.errorf(ErrUndefinedVariable, "the environment has no %q", name)
	}
	if c.lhs.isVar {
		lhs = v
	} else {
		rhs = v
	}
	if name == "extra" {
		// PEP 685: extras compare in their normal form.
		lhs, rhs = NormalizeExtra(lhs), NormalizeExtra(rhs)
	}
	return c.compare(lhs, rhs)
}

func (c *comparison) errorf(kind error, format string, args ...any) *EvalError {
	var b strings.Builder
	c.format(&b)
	return &EvalError{Expr: b.String(), Err: kind, Detail: fmt.Sprintf(format, args...)}
}

// compare applies c.op to the values: PEP 440 semantics when op and rhs
// form a version specifier and lhs is a version, else plain strings for
// ==, !=, in and not in; any other operator is undefined.
func (c *comparison) compare(lhs, rhs string) (bool, error) {
	switch c.op {
	case "in":
		return strings.Contains(rhs, lhs), nil
	case "not in":
		return !strings.Contains(rhs, lhs), nil
	case "===":
		return c.arbitraryEqual(lhs, rhs)
	}
	spec, isSpec := singleSpecifier(c.op, rhs)
	if isSpec {
		if v, err := pep440.Parse(lhs); err == nil {
			// Pre-releases match, as in packaging >= 22 (21.3 excluded
			// them unless the specifier named one): python_full_version
			// "3.13.0rc1" is >= "3.8".
			return spec.Contains(v, pep440.PrereleasesAllow), nil
		}
	}
	switch c.op {
	case "==":
		return lhs == rhs, nil
	case "!=":
		return lhs != rhs, nil
	}
	why := fmt.Sprintf("%q is not a PEP 440 specifier", c.op+rhs)
	if isSpec {
		why = fmt.Sprintf("%q is not a PEP 440 version", lhs)
	}
	return false, c.errorf(ErrUndefinedComparison,
		"%s; only ==, !=, in and not in compare strings that are not versions", why)
}

// arbitraryEqual is "===": packaging compares the lower-cased text, with
// a lhs that is a version in its normal form.
func (c *comparison) arbitraryEqual(lhs, rhs string) (bool, error) {
	rhs = trimPySpace(rhs)
	if containsPySpace(rhs) {
		return false, c.errorf(ErrUndefinedComparison, "=== %q: the operand of === cannot contain whitespace", rhs)
	}
	if v, err := pep440.Parse(lhs); err == nil {
		lhs = v.String()
	}
	return strings.ToLower(lhs) == strings.ToLower(rhs), nil
}

// singleSpecifier returns op+rhs as one PEP 440 specifier, if it is one.
func singleSpecifier(op, rhs string) (pep440.Specifier, bool) {
	if strings.IndexByte(rhs, ',') >= 0 {
		return pep440.Specifier{}, false // no specifier holds a comma
	}
	if c := firstByte(rhs); ('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') && c != 'v' && c != 'V' {
		// "linux", "win32", "CPython", an extra: a version starts with a
		// digit or "v". Skipping the parse spares its error on the
		// markers evaluated most.
		return pep440.Specifier{}, false
	}
	s, err := pep440.ParseSpecifier(op + rhs)
	if err != nil {
		return pep440.Specifier{}, false
	}
	return s, true
}

// firstByte is s's first byte, 0 for "".
func firstByte(s string) byte {
	if s == "" {
		return 0
	}
	return s[0]
}
