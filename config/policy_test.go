package config

import (
	"strings"
	"testing"
	"time"
)

func TestParseAge(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"7d", 7 * 24 * time.Hour, ""},
		{"12h", 12 * time.Hour, ""},
		{"1w", 7 * 24 * time.Hour, ""},
		{"1d12h", 36 * time.Hour, ""},
		{"90m", 90 * time.Minute, ""},
		{"30s", 30 * time.Second, ""},
		{"5214w", 5214 * 7 * 24 * time.Hour, ""},
		{"", 0, "empty duration"},
		{"7", 0, "want a number and a unit"},
		{"d", 0, "want a number and a unit"},
		{"7 d", 0, "unknown unit \" \""},
		{"7D", 0, "unknown unit \"D\""},
		{"-7d", 0, "want a number and a unit"},
		{"1.5d", 0, "unknown unit \".\""},
		{"0h", 0, "more than zero"},
		{"5300w", 0, "too long"},
		{"100000000000000000000s", 0, "too long"},
	}
	for _, tt := range tests {
		got, err := ParseAge(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseAge(%q) = %v, %v; want error %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseAge(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParsePublisher(t *testing.T) {
	tests := []struct {
		spec, workflow string
		want           Publisher
		err            string
	}{
		{"github:psf/requests", "", Publisher{Kind: "github", Repository: "psf/requests"}, ""},
		{"github:psf/requests", "publish.yml", Publisher{Kind: "github", Repository: "psf/requests", Workflow: ".github/workflows/publish.yml"}, ""},
		{"github:psf/requests", ".github/workflows/release.yaml", Publisher{Kind: "github", Repository: "psf/requests", Workflow: ".github/workflows/release.yaml"}, ""},
		{"gitlab:group/sub/project", ".gitlab-ci.yml", Publisher{Kind: "gitlab", Repository: "group/sub/project", Workflow: ".gitlab-ci.yml"}, ""},
		{"google:svc@proj.iam.gserviceaccount.com", "", Publisher{Kind: "google", Repository: "svc@proj.iam.gserviceaccount.com"}, ""},
		{"github:psf", "", Publisher{}, "\"github:OWNER/REPO\""},
		{"github:psf/requests/extra", "", Publisher{}, "\"github:OWNER/REPO\""},
		{"github:psf/..", "", Publisher{}, "\"github:OWNER/REPO\""},
		{"github:psf/requests", "ci/publish.yml", Publisher{}, "in .github/workflows/"},
		{"github:psf/requests", "publish.sh", Publisher{}, "in .github/workflows/"},
		{"gitlab:../x", "", Publisher{}, "GROUP/"},
		{"gitlab:a/b", "../../etc", Publisher{}, "path of the CI file"},
		{"google:a@b@c.example", "", Publisher{}, "\"google:EMAIL\""},
		{"google:a@localhost", "", Publisher{}, "\"google:EMAIL\""},
		{"psf/requests", "", Publisher{}, "want \"github:OWNER/REPO\""},
		{"pypi:requests", "", Publisher{}, "unknown forge \"pypi\""},
	}
	for _, tt := range tests {
		got, err := parsePublisher(tt.spec, tt.workflow)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parsePublisher(%q, %q) = %#v, %v; want error %q", tt.spec, tt.workflow, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parsePublisher(%q, %q) = %#v, %v; want %#v", tt.spec, tt.workflow, got, err, tt.want)
		}
		if got.String() != tt.spec {
			t.Errorf("String() = %q, want %q", got.String(), tt.spec)
		}
	}
}

func TestCutoff(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	ex := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		p    Policy
		want time.Time
	}{
		{Policy{}, time.Time{}},
		{Policy{ExcludeNewer: ex}, ex},
		{Policy{MinReleaseAge: 7 * 24 * time.Hour}, now.Add(-7 * 24 * time.Hour)},
		{Policy{ExcludeNewer: ex, MinReleaseAge: 7 * 24 * time.Hour}, ex},
		{Policy{ExcludeNewer: now, MinReleaseAge: time.Hour}, now.Add(-time.Hour)},
	}
	for i, tt := range tests {
		got, ok := tt.p.Cutoff(now)
		if !got.Equal(tt.want) || ok == tt.want.IsZero() {
			t.Errorf("%d: Cutoff = %v, %v; want %v", i, got, ok, tt.want)
		}
	}
}
