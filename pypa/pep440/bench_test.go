package pep440

import "testing"

var benchVersions = []string{
	"1.0", "2.31.0", "1.26.18", "0.9.0rc1", "3.12.0a7", "2!1.0.post3.dev4+ubuntu.1", "v20.0.1-1", "1.0.0.dev20240101",
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := Parse(benchVersions[i%len(benchVersions)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompare(b *testing.B) {
	vs := make([]Version, len(benchVersions))
	for i, s := range benchVersions {
		vs[i] = MustParse(s)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		vs[i%len(vs)].Compare(vs[(i+3)%len(vs)])
	}
}

func BenchmarkSpecifierContains(b *testing.B) {
	set, err := ParseSpecifierSet(">=1.0, !=1.5.*, <3, ~=2.1")
	if err != nil {
		b.Fatal(err)
	}
	vs := make([]Version, len(benchVersions))
	for i, s := range benchVersions {
		vs[i] = MustParse(s)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		set.Contains(vs[i%len(vs)], PrereleasesDefault)
	}
}
