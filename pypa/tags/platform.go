package tags

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// OS is the operating system family of a Platform.
type OS string

// The operating systems whose platform tags Platform.Tags knows how to list.
const (
	Linux   OS = "linux"
	MacOS   OS = "macos"
	Windows OS = "windows"
	Other   OS = "other" // one platform tag, given in Platform.Tag
)

// Platform describes the machine side of a Target: what
// packaging.tags.platform_tags would find when run there.
type Platform struct {
	OS OS
	// Arch is the architecture as tags spell it. Linux: uname's machine,
	// e.g. "x86_64", "aarch64", "i686", "armv7l", "ppc64le", "s390x".
	// macOS: "x86_64", "arm64" (or "i386", "ppc", "ppc64"). Windows:
	// "amd64", "arm64", "arm32" or "x86" (whose tag is "win32").
	Arch string
	// Glibc is the glibc version (major, minor) of a Linux machine, zero
	// when it has none; it sets the newest manylinux tag.
	Glibc [2]int
	// Musl is the musl libc version of a Linux machine, zero when it has
	// none; it sets the newest musllinux tag.
	Musl [2]int
	// MacVersion is the macOS version (major, minor), e.g. {14, 0} or {10, 15}.
	MacVersion [2]int
	// Tag is the single platform tag of an Other system, e.g.
	// "freebsd_14_0_release_amd64" (sysconfig.get_platform() with "." and
	// "-" replaced by "_").
	Tag string
}

// Limits on described versions, so that a typo cannot ask for a list of
// millions of tags. They are far above any real release.
const (
	maxGlibcMajor = 3
	maxLibcMinor  = 99
	maxMacMajor   = 99
	maxPyMinor    = 99
)

// manylinuxArches are the architectures packaging 21.3 lists manylinux tags
// for (_manylinux._have_compatible_abi).
var manylinuxArches = map[string]bool{
	"x86_64": true, "i686": true, "aarch64": true, "armv7l": true,
	"ppc64": true, "ppc64le": true, "s390x": true,
}

var macArches = map[string]bool{"x86_64": true, "arm64": true, "i386": true, "ppc": true, "ppc64": true}

var windowsTags = map[string]string{"amd64": "win_amd64", "arm64": "win_arm64", "arm32": "win_arm32", "x86": "win32"}

// legacyManylinux maps the glibc versions of PEP 513, 571 and 599 to their
// legacy tag names.
var legacyManylinux = map[[2]int]string{{2, 5}: "manylinux1", {2, 12}: "manylinux2010", {2, 17}: "manylinux2014"}

// lastGlibcMinor is the newest minor assumed for an older glibc major, as
// packaging's _LAST_GLIBC_MINOR default.
const lastGlibcMinor = 50

// PlatformError reports a platform that ParsePlatform or Validate rejects.
type PlatformError struct {
	Platform string
	Reason   string
}

func (e *PlatformError) Error() string {
	return fmt.Sprintf("platform %q: %s", e.Platform, e.Reason)
}

const platformHint = "want manylinux_2_28_x86_64, manylinux2014_aarch64, musllinux_1_2_x86_64, linux_x86_64, macosx_14_0_arm64, win_amd64, win32 or win_arm64"

// ParsePlatform describes a machine by the newest platform tag it supports,
// as given to --platform: "manylinux_2_28_x86_64" (or the legacy
// "manylinux1_", "manylinux2010_", "manylinux2014_" aliases) is a glibc 2.28
// x86_64 Linux, "musllinux_1_2_aarch64" a musl 1.2 one, "linux_riscv64" a
// Linux whose libc is unknown, "macosx_14_0_arm64" macOS 14 on Apple
// silicon, "win_amd64" 64-bit Windows.
//
// Unlike pip's --platform, which matches only the tag given (and a few
// manylinux aliases), Platform.Tags then lists every tag such a machine
// supports: older manylinux versions, then linux_<arch>.
func ParsePlatform(s string) (Platform, error) {
	p, reason := parsePlatform(strings.ToLower(s))
	if reason != "" {
		return Platform{}, &PlatformError{s, reason}
	}
	if err := p.Validate(); err != nil {
		reason := err.Error()
		var pe *PlatformError
		if errors.As(err, &pe) {
			reason = pe.Reason
		}
		return Platform{}, &PlatformError{s, reason}
	}
	return p, nil
}

func parsePlatform(s string) (Platform, string) {
	if s == "win32" {
		return Platform{OS: Windows, Arch: "x86"}, ""
	}
	if arch, ok := strings.CutPrefix(s, "win_"); ok {
		if _, known := windowsTags[arch]; !known || arch == "x86" {
			return Platform{}, "unknown Windows architecture " + strconv.Quote(arch) + "; want win_amd64, win32, win_arm64 or win_arm32"
		}
		return Platform{OS: Windows, Arch: arch}, ""
	}
	if arch, ok := strings.CutPrefix(s, "linux_"); ok {
		return Platform{OS: Linux, Arch: arch}, ""
	}
	for glibc, legacy := range legacyManylinux {
		if arch, ok := strings.CutPrefix(s, legacy+"_"); ok {
			return Platform{OS: Linux, Arch: arch, Glibc: glibc}, ""
		}
	}
	for _, kind := range []string{"manylinux", "musllinux", "macosx"} {
		rest, ok := strings.CutPrefix(s, kind+"_")
		if !ok {
			continue
		}
		v, arch, ok := cutVersion(rest)
		if !ok {
			return Platform{}, fmt.Sprintf("want %s_<major>_<minor>_<arch>; %s", kind, platformHint)
		}
		switch kind {
		case "manylinux":
			return Platform{OS: Linux, Arch: arch, Glibc: v}, ""
		case "musllinux":
			return Platform{OS: Linux, Arch: arch, Musl: v}, ""
		default:
			return Platform{OS: MacOS, Arch: arch, MacVersion: v}, ""
		}
	}
	return Platform{}, "unknown platform; " + platformHint
}

// cutVersion splits "2_28_x86_64" into {2, 28} and "x86_64".
func cutVersion(s string) ([2]int, string, bool) {
	var v [2]int
	for i := range v {
		num, rest, ok := strings.Cut(s, "_")
		if !ok || num == "" || len(num) > 3 {
			return v, "", false
		}
		for j := 0; j < len(num); j++ {
			if num[j] < '0' || num[j] > '9' {
				return v, "", false
			}
		}
		v[i], _ = strconv.Atoi(num)
		s = rest
	}
	return v, s, true
}

// Validate reports whether p describes a machine Tags can list tags for.
func (p Platform) Validate() error {
	fail := func(format string, args ...any) error {
		return &PlatformError{p.String(), fmt.Sprintf(format, args...)}
	}
	switch p.OS {
	case Linux:
		if checkComponent(p.Arch) != "" {
			return fail("architecture %q is not a tag component (lower-case letters, digits, _)", p.Arch)
		}
		if p.Glibc != [2]int{} && p.Musl != [2]int{} {
			return fail("a machine has glibc or musl, not both")
		}
		if g := p.Glibc; g != [2]int{} {
			if !manylinuxArches[p.Arch] {
				return fail("packaging 21.3 (pip 23.2) has no manylinux tags for %s; use linux_%s", p.Arch, p.Arch)
			}
			oldest := 17
			if p.Arch == "x86_64" || p.Arch == "i686" {
				oldest = 5
			}
			if g[0] < 2 || g[0] > maxGlibcMajor || g[1] < 0 || g[1] > maxLibcMinor || g[0] == 2 && g[1] < oldest {
				return fail("glibc %d.%d out of range: manylinux on %s starts at glibc 2.%d", g[0], g[1], p.Arch, oldest)
			}
		}
		if m := p.Musl; m != [2]int{} && (m[0] != 1 || m[1] < 0 || m[1] > maxLibcMinor) {
			return fail("musl %d.%d out of range: want 1.x", m[0], m[1])
		}
	case MacOS:
		if !macArches[p.Arch] {
			return fail("macOS architecture %q: want x86_64 or arm64 (the machine's, not universal2 or intel)", p.Arch)
		}
		v := p.MacVersion
		if v[0] < 10 || v[0] > maxMacMajor || v[1] < 0 || v[1] > maxLibcMinor || v[0] == 10 && v[1] > 16 {
			return fail("macOS version %d.%d out of range: want 10.0 to 10.16 or 11 and later", v[0], v[1])
		}
	case Windows:
		if _, ok := windowsTags[p.Arch]; !ok {
			return fail("Windows architecture %q: want amd64, x86, arm64 or arm32", p.Arch)
		}
	case Other:
		if checkComponent(p.Tag) != "" {
			return fail("tag %q is not a tag component (lower-case letters, digits, _)", p.Tag)
		}
	default:
		return fail("unknown OS %q: want linux, macos, windows or other", p.OS)
	}
	return nil
}

// String returns the newest platform tag of p, the form ParsePlatform reads.
func (p Platform) String() string {
	switch p.OS {
	case Linux:
		switch {
		case p.Glibc != [2]int{}:
			return fmt.Sprintf("manylinux_%d_%d_%s", p.Glibc[0], p.Glibc[1], p.Arch)
		case p.Musl != [2]int{}:
			return fmt.Sprintf("musllinux_%d_%d_%s", p.Musl[0], p.Musl[1], p.Arch)
		}
		return "linux_" + p.Arch
	case MacOS:
		return fmt.Sprintf("macosx_%d_%d_%s", p.MacVersion[0], p.MacVersion[1], p.Arch)
	case Windows:
		if t, ok := windowsTags[p.Arch]; ok {
			return t
		}
		return "win_" + p.Arch
	}
	return p.Tag
}

// Tags returns the platform tags p supports, best first, as
// packaging.tags.platform_tags of 21.3 would on that machine, or nil when
// Validate rejects p.
func (p Platform) Tags() []string {
	if p.Validate() != nil {
		return nil
	}
	switch p.OS {
	case Linux:
		var out []string
		if p.Glibc != [2]int{} {
			out = manylinuxTags(out, p.Arch, p.Glibc)
		}
		if m := p.Musl; m != [2]int{} {
			for minor := m[1]; minor >= 0; minor-- {
				out = append(out, fmt.Sprintf("musllinux_%d_%d_%s", m[0], minor, p.Arch))
			}
		}
		return append(out, "linux_"+p.Arch)
	case MacOS:
		return macTags(p.MacVersion, p.Arch)
	case Windows:
		return []string{windowsTags[p.Arch]}
	}
	return []string{p.Tag}
}

// manylinuxTags appends the manylinux tags of a glibc machine: every glibc
// version from the machine's down to the oldest manylinux of the
// architecture, each followed by its legacy alias (PEP 600).
func manylinuxTags(out []string, arch string, glibc [2]int) []string {
	oldest := [2]int{2, 17}
	if arch == "x86_64" || arch == "i686" {
		oldest = [2]int{2, 5}
	}
	// glibc keeps compatibility across major versions, so an older major is
	// listed from its assumed last minor down.
	maxima := [][2]int{glibc}
	for major := glibc[0] - 1; major > 1; major-- {
		maxima = append(maxima, [2]int{major, lastGlibcMinor})
	}
	for _, m := range maxima {
		lowest := 0
		if m[0] == oldest[0] {
			lowest = oldest[1]
		}
		for minor := m[1]; minor >= lowest; minor-- {
			out = append(out, fmt.Sprintf("manylinux_%d_%d_%s", m[0], minor, arch))
			if legacy, ok := legacyManylinux[[2]int{m[0], minor}]; ok {
				out = append(out, legacy+"_"+arch)
			}
		}
	}
	return out
}

// macTags lists the macOS platform tags as packaging 21.3's mac_platforms:
// before macOS 11 every 10.x release down to 10.0; from 11 every major down
// to 11 (minor 0 only), then 10.16 to 10.4, in universal2 only on arm64.
func macTags(version [2]int, arch string) []string {
	var out []string
	add := func(major, minor int, formats []string) {
		for _, f := range formats {
			out = append(out, fmt.Sprintf("macosx_%d_%d_%s", major, minor, f))
		}
	}
	if version[0] == 10 {
		for minor := version[1]; minor >= 0; minor-- {
			add(10, minor, macFormats([2]int{10, minor}, arch))
		}
		return out
	}
	for major := version[0]; major > 10; major-- {
		add(major, 0, macFormats([2]int{major, 0}, arch))
	}
	for minor := 16; minor > 3; minor-- {
		if arch == "x86_64" {
			add(10, minor, macFormats([2]int{10, minor}, arch))
		} else {
			add(10, minor, []string{"universal2"})
		}
	}
	return out
}

// macFormats lists the binary formats that can hold code for arch on the
// given macOS version, as packaging 21.3's _mac_binary_formats.
func macFormats(v [2]int, arch string) []string {
	before := func(major, minor int) bool { return v[0] < major || v[0] == major && v[1] < minor }
	after := func(major, minor int) bool { return v[0] > major || v[0] == major && v[1] > minor }
	formats := []string{arch}
	switch arch {
	case "x86_64":
		if before(10, 4) {
			return nil
		}
		formats = append(formats, "intel", "fat64", "fat32")
	case "i386":
		if before(10, 4) {
			return nil
		}
		formats = append(formats, "intel", "fat32", "fat")
	case "ppc64":
		if after(10, 5) || before(10, 4) {
			return nil
		}
		formats = append(formats, "fat64")
	case "ppc":
		if after(10, 6) {
			return nil
		}
		formats = append(formats, "fat32", "fat")
	}
	if arch == "arm64" || arch == "x86_64" {
		formats = append(formats, "universal2")
	}
	if arch == "x86_64" || arch == "i386" || arch == "ppc64" || arch == "ppc" {
		formats = append(formats, "universal")
	}
	return formats
}
