// Package pyproject reads what a project's pyproject.toml says it depends
// on: the PEP 621 [project] table (dependencies, optional-dependencies,
// requires-python, dynamic) and PEP 735 [dependency-groups] with their
// include-group entries.
//
// It works on the document already decoded from TOML into plain Go values
// (tables as map[string]any, arrays as []any, strings as string), so that
// it stays free of a TOML library and of I/O; the caller decodes the file.
//
// Deliberate choices, beside the PEPs:
//   - A requirement naming the project itself with extras ("me[test]", the
//     usual way to build an "all" extra) is expanded into those extras'
//     requirements, since safepip does not build the project; its marker,
//     if any, is joined to theirs with "and".
//   - A group may not include a group that includes it back (PEP 735 says a
//     tool must refuse cycles); the error names the chain.
//   - Dynamic dependencies (and dynamic optional-dependencies, once an
//     extra is selected) are an error: reading them needs a build.
package pyproject

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
)

// Limits against hostile input.
const (
	// MaxRequirements is the most requirement strings one file may hold.
	MaxRequirements = 10000
	// MaxIncludeDepth is the deepest chain of include-group entries.
	MaxIncludeDepth = 64
)

// Requirement is one dependency string and where it was written.
type Requirement struct {
	Req pep508.Requirement
	// Key says where: `[project] dependencies[0]`,
	// `[project.optional-dependencies] test[1]`, `[dependency-groups] dev[2]`.
	Key  string
	Text string // as written
}

// groupItem is one entry of a dependency group: a requirement or the name
// of another group to include.
type groupItem struct {
	req     *Requirement
	include string // normalized group name
	key     string
}

// Project is the dependency information of one pyproject.toml.
type Project struct {
	File string
	// HasProject reports a [project] table: without one, the file only
	// configures tools and declares nothing to install.
	HasProject bool
	Name       string // [project] name, normalized; "" when absent
	// RequiresPython is [project] requires-python; empty when absent.
	RequiresPython pep440.SpecifierSet
	// RequiresPythonText is requires-python as written ("" when absent).
	RequiresPythonText string
	Dependencies       []Requirement
	// Extras are the [project.optional-dependencies], by normalized name.
	Extras map[string][]Requirement
	// Dynamic lists the [project] fields the build backend computes.
	Dynamic []string
	groups  map[string][]groupItem // by normalized name
	spelled map[string]string      // normalized group name -> as written
}

// Error is a problem with one key of a pyproject.toml.
type Error struct {
	File  string
	Key   string // `[project] dependencies[2]`
	Value string // the offending value, "" when none
	Err   error
}

func (e *Error) Error() string {
	s := e.File + ": " + e.Key
	if e.Value != "" {
		s += fmt.Sprintf(": %q", e.Value)
	}
	return s + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Errors callers can test for with errors.Is.
var (
	// ErrDynamic is a selected field the project declares dynamic.
	ErrDynamic = errors.New("dynamic")
	// ErrUnknownSelection is an --extra or --group the file does not define.
	ErrUnknownSelection = errors.New("not defined")
	// ErrIncludeCycle is a dependency group that includes itself.
	ErrIncludeCycle = errors.New("include-group cycle")
)

// Parse reads the [project] and [dependency-groups] tables of doc, the
// decoded pyproject.toml named name.
func Parse(name string, doc map[string]any) (*Project, error) {
	p := &Project{File: name, Extras: map[string][]Requirement{}, groups: map[string][]groupItem{}, spelled: map[string]string{}}
	count := 0
	parseReq := func(key string, v any) (Requirement, error) {
		count++
		if count > MaxRequirements {
			return Requirement{}, &Error{File: name, Key: key, Err: fmt.Errorf("more than %d requirements", MaxRequirements)}
		}
		s, ok := v.(string)
		if !ok {
			return Requirement{}, &Error{File: name, Key: key, Err: fmt.Errorf("want a PEP 508 requirement string, got %s", TypeName(v))}
		}
		r, err := pep508.ParseRequirement(s)
		if err != nil {
			return Requirement{}, &Error{File: name, Key: key, Value: s, Err: err}
		}
		return Requirement{Req: r, Key: key, Text: s}, nil
	}
	if raw, ok := doc["project"]; ok {
		t, ok := raw.(map[string]any)
		if !ok {
			return nil, &Error{File: name, Key: "[project]", Err: fmt.Errorf("want a table, got %s", TypeName(raw))}
		}
		p.HasProject = true
		if err := p.parseProject(t, parseReq); err != nil {
			return nil, err
		}
	}
	if raw, ok := doc["dependency-groups"]; ok {
		t, ok := raw.(map[string]any)
		if !ok {
			return nil, &Error{File: name, Key: "[dependency-groups]", Err: fmt.Errorf("want a table, got %s", TypeName(raw))}
		}
		if err := p.parseGroups(t, parseReq); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *Project) parseProject(t map[string]any, parseReq func(string, any) (Requirement, error)) error {
	if v, ok := t["name"]; ok {
		s, ok := v.(string)
		if !ok || !pep508.ValidName(s) {
			return &Error{File: p.File, Key: "[project] name", Value: fmt.Sprint(v), Err: errors.New("not a valid project name")}
		}
		p.Name = pep508.NormalizeName(s)
	}
	if v, ok := t["dynamic"]; ok {
		list, ok := v.([]any)
		if !ok {
			return &Error{File: p.File, Key: "[project] dynamic", Err: fmt.Errorf("want an array of field names, got %s", TypeName(v))}
		}
		for i, x := range list {
			s, ok := x.(string)
			if !ok {
				return &Error{File: p.File, Key: fmt.Sprintf("[project] dynamic[%d]", i), Err: fmt.Errorf("want a field name, got %s", TypeName(x))}
			}
			p.Dynamic = append(p.Dynamic, s)
		}
	}
	if v, ok := t["requires-python"]; ok {
		s, ok := v.(string)
		if !ok {
			return &Error{File: p.File, Key: "[project] requires-python", Err: fmt.Errorf("want a version specifier string, got %s", TypeName(v))}
		}
		set, err := pep440.ParseSpecifierSet(s)
		if err != nil {
			return &Error{File: p.File, Key: "[project] requires-python", Value: s, Err: err}
		}
		p.RequiresPython, p.RequiresPythonText = set, s
	}
	for _, field := range []string{"dependencies", "optional-dependencies", "requires-python"} {
		if _, static := t[field]; static && slices.Contains(p.Dynamic, field) {
			return &Error{File: p.File, Key: "[project] " + field, Err: errors.New("is given and also listed in [project] dynamic; PEP 621 allows one or the other")}
		}
	}
	if v, ok := t["dependencies"]; ok {
		list, ok := v.([]any)
		if !ok {
			return &Error{File: p.File, Key: "[project] dependencies", Err: fmt.Errorf("want an array of requirement strings, got %s", TypeName(v))}
		}
		for i, x := range list {
			r, err := parseReq(fmt.Sprintf("[project] dependencies[%d]", i), x)
			if err != nil {
				return err
			}
			p.Dependencies = append(p.Dependencies, r)
		}
	}
	if v, ok := t["optional-dependencies"]; ok {
		tab, ok := v.(map[string]any)
		if !ok {
			return &Error{File: p.File, Key: "[project.optional-dependencies]", Err: fmt.Errorf("want a table of extras, got %s", TypeName(v))}
		}
		for _, extra := range sortedKeys(tab) {
			key := "[project.optional-dependencies] " + extra
			if !pep508.ValidName(extra) {
				return &Error{File: p.File, Key: key, Err: errors.New("not a valid extra name (letters, digits, '-', '_' and '.', starting and ending with a letter or digit)")}
			}
			n := pep508.NormalizeExtra(extra)
			if _, dup := p.Extras[n]; dup {
				return &Error{File: p.File, Key: key, Err: fmt.Errorf("another extra has the same normalized name %q", n)}
			}
			list, ok := tab[extra].([]any)
			if !ok {
				return &Error{File: p.File, Key: key, Err: fmt.Errorf("want an array of requirement strings, got %s", TypeName(tab[extra]))}
			}
			reqs := []Requirement{}
			for i, x := range list {
				r, err := parseReq(fmt.Sprintf("%s[%d]", key, i), x)
				if err != nil {
					return err
				}
				reqs = append(reqs, r)
			}
			p.Extras[n] = reqs
		}
	}
	return nil
}

func (p *Project) parseGroups(t map[string]any, parseReq func(string, any) (Requirement, error)) error {
	for _, g := range sortedKeys(t) {
		key := "[dependency-groups] " + g
		if !pep508.ValidName(g) {
			return &Error{File: p.File, Key: key, Err: errors.New("not a valid group name (letters, digits, '-', '_' and '.', starting and ending with a letter or digit)")}
		}
		n := pep508.NormalizeName(g)
		if other, dup := p.spelled[n]; dup {
			return &Error{File: p.File, Key: key, Err: fmt.Errorf("group %q has the same normalized name %q; PEP 735 forbids that", other, n)}
		}
		p.spelled[n] = g
		list, ok := t[g].([]any)
		if !ok {
			return &Error{File: p.File, Key: key, Err: fmt.Errorf("want an array of requirement strings and {include-group = \"...\"} tables, got %s", TypeName(t[g]))}
		}
		items := []groupItem{}
		for i, x := range list {
			ikey := fmt.Sprintf("%s[%d]", key, i)
			if tab, ok := x.(map[string]any); ok {
				inc, ok := tab["include-group"].(string)
				if !ok || len(tab) != 1 {
					return &Error{File: p.File, Key: ikey, Err: errors.New(`a table in a dependency group must be exactly {include-group = "NAME"}`)}
				}
				if !pep508.ValidName(inc) {
					return &Error{File: p.File, Key: ikey, Value: inc, Err: errors.New("not a valid group name")}
				}
				items = append(items, groupItem{include: pep508.NormalizeName(inc), key: ikey})
				continue
			}
			r, err := parseReq(ikey, x)
			if err != nil {
				return err
			}
			items = append(items, groupItem{req: &r, key: ikey})
		}
		p.groups[n] = items
	}
	// Every include names a group and no chain comes back to itself.
	for _, n := range p.GroupNames() {
		if _, err := p.group(n, nil); err != nil {
			return err
		}
	}
	return nil
}

// ExtraNames returns the normalized names of the extras, sorted.
func (p *Project) ExtraNames() []string { return sortedKeys(p.Extras) }

// GroupNames returns the normalized names of the dependency groups, sorted.
func (p *Project) GroupNames() []string { return sortedKeys(p.groups) }

// group returns the requirements of group n with its includes expanded;
// chain is the groups being expanded, for cycle detection.
func (p *Project) group(n string, chain []string) ([]Requirement, error) {
	if i := slices.Index(chain, n); i >= 0 {
		names := make([]string, 0, len(chain)-i+1)
		for _, c := range slices.Concat(chain[i:], []string{n}) {
			names = append(names, p.spelled[c])
		}
		return nil, &Error{File: p.File, Key: "[dependency-groups] " + p.spelled[chain[0]], Err: fmt.Errorf("%w: %s", ErrIncludeCycle, strings.Join(names, " -> "))}
	}
	if len(chain) >= MaxIncludeDepth {
		return nil, &Error{File: p.File, Key: "[dependency-groups] " + p.spelled[chain[0]], Err: fmt.Errorf("include-group chain deeper than %d", MaxIncludeDepth)}
	}
	chain = slices.Concat(chain, []string{n})
	var out []Requirement
	for _, it := range p.groups[n] {
		if it.req != nil {
			out = append(out, *it.req)
			continue
		}
		if _, ok := p.groups[it.include]; !ok {
			return nil, &Error{File: p.File, Key: it.key, Value: it.include, Err: fmt.Errorf("include-group names no group of [dependency-groups] (%s)", listOrNone(p.GroupNames()))}
		}
		inc, err := p.group(it.include, chain)
		if err != nil {
			return nil, err
		}
		out = append(out, inc...)
	}
	return out, nil
}

// Selection says which optional parts of a project to use.
type Selection struct {
	Extras    []string // --extra, any spelling
	AllExtras bool
	Groups    []string // --group, any spelling
	AllGroups bool
}

// Normalized returns the selection with every extra and group the project
// defines spelled out (the All flags expanded), normalized, sorted and
// unique: what a lock records.
func (p *Project) Normalized(s Selection) (extras, groups []string, err error) {
	extras, err = pick(p, "extra", "--extra", s.Extras, s.AllExtras, p.ExtraNames())
	if err != nil {
		return nil, nil, err
	}
	groups, err = pick(p, "dependency group", "--group", s.Groups, s.AllGroups, p.GroupNames())
	return extras, groups, err
}

func pick(p *Project, what, flag string, names []string, all bool, defined []string) ([]string, error) {
	if all {
		return defined, nil
	}
	out := []string{}
	for _, x := range names {
		n := pep508.NormalizeName(x)
		if !slices.Contains(defined, n) {
			return nil, &Error{File: p.File, Key: flag, Value: x, Err: fmt.Errorf("%w: the project's %ss are %s", ErrUnknownSelection, what, listOrNone(defined))}
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Requirements returns the requirements to lock for s: the dependencies,
// those of the selected extras and of the selected groups (includes
// expanded, the project's own extras expanded), in that order.
func (p *Project) Requirements(s Selection) ([]Requirement, error) {
	extras, groups, err := p.Normalized(s)
	if err != nil {
		return nil, err
	}
	if p.HasProject && slices.Contains(p.Dynamic, "dependencies") {
		return nil, &Error{File: p.File, Key: "[project] dynamic", Value: "dependencies",
			Err: fmt.Errorf("%w: the build backend computes the dependencies and safepip does not build the project to read them; list them in [project] dependencies, or lock a requirements file with -r", ErrDynamic)}
	}
	if len(extras) > 0 && slices.Contains(p.Dynamic, "optional-dependencies") {
		return nil, &Error{File: p.File, Key: "[project] dynamic", Value: "optional-dependencies",
			Err: fmt.Errorf("%w: the build backend computes the extras and safepip does not build the project to read them; list them in [project.optional-dependencies]", ErrDynamic)}
	}
	var out []Requirement
	add := func(rs []Requirement, seen ...string) error {
		for _, r := range rs {
			exp, err := p.expandSelf(r, seen)
			if err != nil {
				return err
			}
			out = append(out, exp...)
		}
		return nil
	}
	if err := add(p.Dependencies); err != nil {
		return nil, err
	}
	for _, x := range extras {
		if err := add(p.Extras[x], x); err != nil {
			return nil, err
		}
	}
	for _, g := range groups {
		rs, err := p.group(g, nil)
		if err != nil {
			return nil, err
		}
		if err := add(rs); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// expandSelf replaces a requirement of the project itself ("me[test]")
// by the requirements of the extras it names; seen guards against extras
// that name each other.
func (p *Project) expandSelf(r Requirement, seen []string) ([]Requirement, error) {
	if p.Name == "" || pep508.NormalizeName(r.Req.Name) != p.Name {
		return []Requirement{r}, nil
	}
	if r.Req.URL != "" || len(r.Req.Specifier) > 0 {
		return nil, &Error{File: p.File, Key: r.Key, Value: r.Text, Err: errors.New("the project may name itself only to include its own extras, with no version or URL")}
	}
	var out []Requirement
	for _, x := range r.Req.Extras {
		n := pep508.NormalizeExtra(x)
		reqs, ok := p.Extras[n]
		if !ok {
			return nil, &Error{File: p.File, Key: r.Key, Value: r.Text, Err: fmt.Errorf("%w: extra %q (the project's extras are %s)", ErrUnknownSelection, x, listOrNone(p.ExtraNames()))}
		}
		if slices.Contains(seen, n) {
			continue // already expanded on this path
		}
		if slices.Contains(p.Dynamic, "optional-dependencies") {
			return nil, &Error{File: p.File, Key: r.Key, Value: r.Text, Err: fmt.Errorf("%w: the project's optional-dependencies are dynamic", ErrDynamic)}
		}
		for _, dep := range reqs {
			dep, err := p.withMarker(dep, r)
			if err != nil {
				return nil, err
			}
			exp, err := p.expandSelf(dep, slices.Concat(seen, []string{n}))
			if err != nil {
				return nil, err
			}
			out = append(out, exp...)
		}
	}
	return out, nil
}

// withMarker returns dep restricted to the environments of outer's marker.
func (p *Project) withMarker(dep, outer Requirement) (Requirement, error) {
	if outer.Req.Marker == nil {
		return dep, nil
	}
	m := "(" + outer.Req.Marker.String() + ")"
	if dep.Req.Marker != nil {
		m = "(" + dep.Req.Marker.String() + ") and " + m
	}
	bare := dep.Req
	bare.Marker = nil
	text := bare.String()
	if bare.URL != "" {
		text += " " // "name @ url ;" needs the space before ";"
	}
	r, err := pep508.ParseRequirement(text + "; " + m)
	if err != nil {
		return dep, &Error{File: p.File, Key: dep.Key, Value: dep.Text, Err: err}
	}
	dep.Req = r
	return dep, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// TypeName names the TOML type of a decoded value (go-toml's any form)
// for messages: "a string", "an array", "a table"...
func TypeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	case bool:
		return "a boolean"
	case int64, float64:
		return "a number"
	case nil:
		return "nothing"
	}
	return fmt.Sprintf("a %T", v)
}
