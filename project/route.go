package project

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/wheel"
)

// IndexLookup answers the router's question, which versions of a project an
// index offers, with the index client. It implements config.Lookup.
type IndexLookup struct {
	Client *index.Client
}

// Versions returns the versions idx's files of project carry, ascending
// (PEP 440), with the PEP 700 "versions" list of the page merged in. A
// project the index does not have is config.ErrNotFound, wrapping the
// client's *index.NotFoundError; any other failure is returned as is, and
// the router treats it as fatal for the project.
func (l IndexLookup) Versions(ctx context.Context, idx config.Index, project string) ([]string, error) {
	p, err := l.Client.Project(ctx, ClientIndex(idx), project)
	var nf *index.NotFoundError
	if errors.As(err, &nf) {
		return nil, fmt.Errorf("%w: %w", config.ErrNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	return projectVersions(p), nil
}

// ClientIndex returns the index client's view of a configured index.
func ClientIndex(x config.Index) index.Index {
	return index.Index{Name: x.Name, URL: x.URL, FindLinks: x.Kind == config.Flat}
}

// projectVersions lists the distinct versions of p, ascending. A page that
// exists but lists no files still counts as the index serving the project:
// the name is registered there, and an upload can appear at any time.
func projectVersions(p *index.Project) []string {
	var vs []pep440.Version
	add := func(s string) {
		v, err := pep440.Parse(s)
		if err != nil {
			return
		}
		if !slices.ContainsFunc(vs, func(o pep440.Version) bool { return o.Compare(v) == 0 }) {
			vs = append(vs, v)
		}
	}
	for _, f := range p.Files {
		if w, err := wheel.ParseWheel(f.Filename); err == nil {
			add(w.Version.String())
		} else if s, err := wheel.ParseSdist(f.Filename); err == nil {
			add(s.Version.String())
		}
	}
	for _, s := range p.Versions {
		add(s)
	}
	slices.SortFunc(vs, pep440.Version.Compare)
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.String()
	}
	return out
}
