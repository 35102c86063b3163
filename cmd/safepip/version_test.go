package main

import (
	"runtime/debug"
	"testing"
)

func TestReadBuildVersion(t *testing.T) {
	info := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/safepip/safepip", Version: "v0.2.0"},
		Settings: []debug.BuildSetting{
			{Key: "-trimpath", Value: "true"},
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "3aefa43c0ffee"},
			{Key: "vcs.time", Value: "2026-12-07T04:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	v := readBuildVersion(info, true)
	if v.Version != version || v.ModuleVersion != "v0.2.0" || v.Revision != "3aefa43c0ffee" || v.RevisionTime != "2026-12-07T04:00:00Z" || !v.Modified || v.Go != "go1.26.8" {
		t.Errorf("readBuildVersion = %+v", v)
	}
	if v := readBuildVersion(nil, false); v.ModuleVersion != "(unknown)" || v.Revision != "" {
		t.Errorf("readBuildVersion(nil, false) = %+v", v)
	}
}
