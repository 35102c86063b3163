package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
)

// Resolution is the [resolution] table: which environments a universal
// lock serves (uv's requires-python, tool.uv.environments and
// tool.uv.required-environments).
//
//	[resolution]
//	requires-python = ">=3.10"
//	environments = ["sys_platform == 'linux'", "sys_platform == 'darwin'"]
//	required-environments = ["sys_platform == 'linux' and platform_machine == 'x86_64'"]
type Resolution struct {
	// RequiresPython bounds the Python versions of the lock; nil when the
	// key is absent (the project's [project] requires-python, else the
	// default, applies).
	RequiresPython pep440.SpecifierSet
	// Environments narrow the lock to where one of them holds; nil: every
	// environment.
	Environments []pep508.MarkerSet
	// RequiredEnvironments must each have a wheel of every package.
	RequiredEnvironments []pep508.MarkerSet
	// Source is where the table was written ("safepip.toml:12"), for
	// messages that send the user back to it.
	Source string
}

const resolutionKeys = "requires-python, environments, required-environments"

// resolution parses the [resolution] table.
func (p *parser) resolution(t map[string]any) Resolution {
	path := []string{"resolution"}
	res := Resolution{Source: fmt.Sprintf("%s:%d", p.name, p.line(path))}
	at := func(k string) []string { return append(slices.Clone(path), k) }
	for _, k := range sortedKeys(t) {
		v := t[k]
		switch k {
		case "requires-python":
			s, ok := p.str(at(k), v)
			if !ok {
				continue
			}
			spec, err := pep440.ParseSpecifierSet(s)
			switch {
			case err != nil:
				p.errorf(at(k), "%q: %v; want a PEP 440 specifier such as \">=3.10\"", s, err)
			case strings.TrimSpace(s) == "":
				p.errorf(at(k), "empty; want a PEP 440 specifier such as \">=3.10\", or remove the key")
			case pep508.RequiresPythonMarker(spec).IsFalse():
				p.errorf(at(k), "%q allows no Python version", s)
			default:
				res.RequiresPython = spec
			}
		case "environments", "required-environments":
			list, ok := p.strList(at(k), v)
			if !ok {
				continue
			}
			if len(list) == 0 {
				p.errorf(at(k), "empty; want at least one marker such as \"sys_platform == 'linux'\", or remove the key")
				continue
			}
			var sets []pep508.MarkerSet
			for i, s := range list {
				if m, ok := p.environment(append(at(k), fmt.Sprintf("#%d", i)), s); ok {
					sets = append(sets, m)
				}
			}
			if k == "environments" {
				res.Environments = sets
			} else {
				res.RequiredEnvironments = sets
			}
		default:
			p.unknown(path, k, resolutionKeys)
		}
	}
	return res
}

// environment parses one marker of environments or required-environments.
func (p *parser) environment(path []string, s string) (pep508.MarkerSet, bool) {
	m, err := pep508.ParseMarker(s)
	if err != nil {
		p.errorf(path, "%q: %v", s, err)
		return pep508.MarkerSet{}, false
	}
	if set := m.Set(); !set.Equal(set.WithoutExtras()) {
		p.errorf(path, "%q: an environment cannot depend on extra; remove that comparison", s)
		return pep508.MarkerSet{}, false
	}
	set := m.Set()
	if set.IsFalse() {
		p.errorf(path, "%q holds in no environment", s)
		return pep508.MarkerSet{}, false
	}
	return set, true
}

// Canonical is the table in a normal form, for the lock's inputs digest:
// two tables that describe the same environments give the same text.
func (r Resolution) Canonical() string {
	var b strings.Builder
	b.WriteString("requires-python=" + r.RequiresPython.String())
	for _, m := range r.Environments {
		b.WriteString("\nenvironment=" + m.String())
	}
	for _, m := range r.RequiredEnvironments {
		b.WriteString("\nrequired-environment=" + m.String())
	}
	return b.String()
}
