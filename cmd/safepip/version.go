package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
)

type versionCmd struct{}

// buildVersion is what the binary knows of its own build: the release,
// and from the build info the module version and the commit it was built
// from, so a release binary can be traced to its source.
type buildVersion struct {
	Version       string `json:"version"`
	ModuleVersion string `json:"module_version"`          // "(devel)" for a plain go build without VCS stamping
	Revision      string `json:"revision,omitempty"`      // VCS commit, when the build stamped it
	RevisionTime  string `json:"revision_time,omitempty"` // the commit's time, RFC 3339
	Modified      bool   `json:"modified"`                // built from a tree with uncommitted changes
	Go            string `json:"go"`
	Platform      string `json:"platform"` // GOOS/GOARCH
}

// readBuildVersion reads info, from debug.ReadBuildInfo; ok is false when
// the binary carries none (a build without module support).
func readBuildVersion(info *debug.BuildInfo, ok bool) buildVersion {
	v := buildVersion{Version: version, ModuleVersion: "(unknown)", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if !ok || info == nil {
		return v
	}
	v.ModuleVersion = info.Main.Version
	if info.GoVersion != "" {
		v.Go = info.GoVersion
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.RevisionTime = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

func (versionCmd) Run(g *globals, e *env) error {
	v := readBuildVersion(debug.ReadBuildInfo())
	if g.JSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	fmt.Fprintf(e.stdout, "safepip %s\n", v.Version)
	fmt.Fprintf(e.stdout, "module   %s\n", v.ModuleVersion)
	switch {
	case v.Revision == "":
		fmt.Fprintln(e.stdout, "revision unknown (built without VCS information; release builds have it)")
	case v.Modified:
		fmt.Fprintf(e.stdout, "revision %s (%s), with uncommitted changes\n", v.Revision, v.RevisionTime)
	default:
		fmt.Fprintf(e.stdout, "revision %s (%s)\n", v.Revision, v.RevisionTime)
	}
	fmt.Fprintf(e.stdout, "go       %s %s\n", v.Go, v.Platform)
	return nil
}
