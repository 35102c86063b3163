package pubgrub_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/safepip/safepip/resolver/pubgrub"
)

// versions is a set of versions 0 to 63, one bit each.
type versions uint64

func (s versions) Contains(v int) bool           { return v >= 0 && v < 64 && s&(1<<v) != 0 }
func (s versions) Intersect(o versions) versions { return s & o }
func (s versions) Union(o versions) versions     { return s | o }
func (s versions) Complement() versions          { return ^s }
func (s versions) IsEmpty() bool                 { return s == 0 }
func (s versions) IsFull() bool                  { return s == ^versions(0) }
func between(lo, hi int) versions                { return versions(1<<hi - 1<<lo) }
func (s versions) String() string {
	var vs []string
	for v := range 64 {
		if s.Contains(v) {
			vs = append(vs, strconv.Itoa(v))
		}
	}
	return strings.Join(vs, " | ")
}

// index knows, for each package, the dependencies of each version.
type index map[string]map[int][]pubgrub.Dep[versions]

// ChooseVersion picks the newest version in set.
func (ix index) ChooseVersion(ctx context.Context, pkg string, set versions) (int, bool, error) {
	for v := 63; v >= 0; v-- {
		if _, ok := ix[pkg][v]; ok && set.Contains(v) {
			return v, true, nil
		}
	}
	return 0, false, nil
}

func (ix index) Dependencies(ctx context.Context, pkg string, v int) (pubgrub.Deps[versions], error) {
	deps, ok := ix[pkg][v]
	if !ok {
		return pubgrub.Deps[versions]{}, fmt.Errorf("%s has no version %d", pkg, v)
	}
	return pubgrub.Deps[versions]{Range: versions(1 << v), Deps: deps}, nil
}

func ExampleSolve() {
	ix := index{
		"app": {1: {{Package: "web", Set: between(2, 4)}, {Package: "db", Set: between(1, 3)}}},
		"web": {
			2: {{Package: "db", Set: between(2, 3)}},
			3: {{Package: "db", Set: between(2, 3)}},
		},
		"db": {1: nil, 2: nil},
	}
	solution, err := pubgrub.Solve[int, versions](context.Background(), ix, "app", 1)
	fmt.Println(solution, err)

	// Pin db to 1, which no version of web accepts.
	ix["app"][1] = []pubgrub.Dep[versions]{{Package: "web", Set: between(2, 4)}, {Package: "db", Set: between(1, 2)}}
	_, err = pubgrub.Solve[int, versions](context.Background(), ix, "app", 1)
	fmt.Println(err)
	// Output:
	// map[app:1 db:2 web:3] <nil>
	// Because app depends on web 2 | 3 which depends on db 2, db 2 is required.
	// So, because app depends on db 1, version solving failed.
}
