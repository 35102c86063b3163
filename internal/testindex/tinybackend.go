package testindex

import (
	"embed"
	"strings"

	"github.com/safepip/safepip/pypa/pep508"
)

// tinybackendFS is tinybackend/, a small pure-Python PEP 517 and PEP 660
// build backend (standard library only) that builds projects described by
// a tiny.json; see tinybackend/build.py.
//
//go:embed tinybackend/build.py tinybackend/noprep.py
var tinybackendFS embed.FS

// TinyPyproject is a pyproject.toml whose project is built by TinyBackend
// ("tinybackend", any version), for Dist.SdistFiles.
const TinyPyproject = "[build-system]\nrequires = [\"tinybackend\"]\nbuild-backend = \"tinybackend.build\"\n"

// TinyBackend returns a Dist of a wheel holding tinybackend, a small
// pure-Python PEP 517 / PEP 660 build backend, as the distribution name
// version. Its module is name with "-" as "_": build-backend is
// "<module>.build" (every hook) or "<module>.noprep" (no
// prepare_metadata_for_build_wheel, no build_editable). Add Files to the
// returned Dist to change it (a <module>/__init__.py replaces the empty
// one, e.g. to act when imported).
//
//	idx.Add(testindex.TinyBackend("tinybackend", "1.0"))
//	idx.Add(testindex.Dist{Name: "acme-lib", Version: "1.0", Sdist: true,
//		SdistFiles: map[string]string{"pyproject.toml": testindex.TinyPyproject}})
func TinyBackend(name, version string) Dist {
	module := strings.ReplaceAll(pep508.NormalizeName(name), "-", "_")
	files := map[string]string{module + "/__init__.py": ""}
	for _, f := range []string{"build.py", "noprep.py"} {
		data, err := tinybackendFS.ReadFile("tinybackend/" + f)
		if err != nil {
			panic("testindex: tinybackend is embedded: " + err.Error()) // a bug in this package
		}
		files[module+"/"+f] = string(data)
	}
	return Dist{Name: name, Version: version, Files: files}
}
