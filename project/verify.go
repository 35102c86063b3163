package project

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/install"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/tags"
	"github.com/safepip/safepip/resolver"
	"github.com/safepip/safepip/verify"
)

// VerifyOptions are the inputs of `safepip verify`.
type VerifyOptions struct {
	LockPath string // "": safepip.lock in the working directory
	// Offline uses only the cache: a locked file or provenance that is not
	// there is a finding instead of a download.
	Offline bool
	// Python, when set (or with Installed), checks only the files that
	// `safepip install` would choose for this interpreter; otherwise every
	// locked file.
	Python    string
	Installed bool // also compare the interpreter's installed distributions with the lock
}

// Kinds of Finding.
const (
	FindingFileMissing        = "file-missing"        // not in the cache (offline)
	FindingHashMismatch       = "hash-mismatch"       // the bytes are not the locked ones
	FindingProvenanceMissing  = "provenance-missing"  // the recorded provenance is not in the cache (offline) or no longer served
	FindingProvenanceChanged  = "provenance-changed"  // the provenance bytes are not the ones locked
	FindingAttestationInvalid = "attestation-invalid" // the provenance does not verify, or names another identity
	FindingAttestationMissing = "attestation-missing" // the policy requires an attestation the lock lacks
	FindingPublisherPin       = "publisher-pin"       // the locked publisher is not the one [policy.publishers] pins
	FindingNotInstalled       = "not-installed"       // locked for this environment, not installed
	FindingExtra              = "extra"               // installed, not locked
	FindingVersionChanged     = "version-changed"     // installed at another version than locked
	FindingModifiedOnDisk     = "modified-on-disk"    // an installed file differs from its RECORD entry
	FindingSourceMismatch     = "source-mismatch"     // installed from elsewhere than the lock says (direct_url.json)
)

// A Finding is one thing `safepip verify` found wrong.
type Finding struct {
	Kind     string `json:"kind"`
	Package  string `json:"package"`
	Version  string `json:"version,omitempty"`
	File     string `json:"file,omitempty"` // a distribution file, or a path in site-packages
	Expected string `json:"expected,omitempty"`
	Actual   string `json:"actual,omitempty"`
	Detail   string `json:"detail"`
}

// VerifyResult is what `safepip verify` checked and found.
type VerifyResult struct {
	LockPath  string    `json:"lock"`
	Root      string    `json:"trusted_root,omitempty"` // the root attestations were checked against
	Files     int       `json:"files"`                  // locked files whose hash was checked
	Attested  int       `json:"attested"`               // of them, with an attestation re-verified
	Installed int       `json:"installed"`              // installed distributions compared (--installed)
	Findings  []Finding `json:"findings"`
	// Notes are what the checks could not cover and why, not failures: a
	// wheel built from a locked sdist has no locked hash to match.
	Notes []string `json:"notes,omitempty"`
}

// VerifyFailedError is a verification that found something: exit status 1.
type VerifyFailedError struct {
	LockPath string
	Findings int
}

func (e *VerifyFailedError) Error() string {
	s := "s"
	if e.Findings == 1 {
		s = ""
	}
	return fmt.Sprintf("%s: verification failed with %d finding%s; do not deploy this environment until each is understood", e.LockPath, e.Findings, s)
}

// Verify re-checks a lock: every locked file's sha256 in the cache (the
// wheels of its [[build-package]] entries too), every recorded attestation
// against its provenance and the trusted root, the publisher pins, and
// with Installed, the interpreter's installed distributions: their
// versions, their RECORD hashes, and where they came from (their PEP 610
// direct_url.json against the locked source, file or index). Findings are
// returned in the result, with a *VerifyFailedError when there is any.
func Verify(ctx context.Context, env *Env, o VerifyOptions) (*VerifyResult, error) {
	path := env.abs(o.LockPath)
	if o.LockPath == "" {
		path = filepath.Join(env.Dir, DefaultLockName)
	}
	lf, _, err := readLockIfAny(path)
	if err != nil {
		return nil, err
	}
	if lf == nil {
		return nil, &InputError{Err: fmt.Errorf("%s: no such lock; run `safepip lock` first, or name it with --lock", path)}
	}
	pc, err := readPipConf(env)
	if err != nil {
		return nil, err
	}
	cfg, err := loadConfig(env, pc, nil, config.Flags{})
	if err != nil {
		return nil, err
	}
	res := &VerifyResult{LockPath: path}

	var interp *install.Interpreter
	var choices []install.Choice // what install chooses for the interpreter
	var files []install.Choice   // the locked files to check
	if o.Installed || o.Python != "" {
		interp, err = install.Inspect(ctx, pythonPath(env, o.Python), env.CacheDir)
		if err != nil {
			return nil, &InputError{Err: err}
		}
		tt, err := interp.Target()
		if err != nil {
			return nil, &InputError{Err: err}
		}
		if choices, err = install.Select(lf, tt.Tags(), interp.Markers); err != nil {
			return nil, err
		}
		if files, err = chosenFiles(lf, choices, tt.Tags(), interp.Markers); err != nil {
			return nil, err
		}
	} else {
		for _, list := range [][]lock.Package{lf.Packages, lf.BuildPackages} {
			for i := range list {
				for _, d := range list[i].Files {
					files = append(files, install.Choice{Package: &list[i], File: d})
				}
			}
		}
	}

	var client *index.Client
	if !o.Offline {
		if client, err = env.newClient(index.Options{}); err != nil {
			return nil, &InputError{Err: err}
		}
		defer client.Flush()
	}
	fc := &fileChecker{env: env, cfg: cfg, client: client, where: lockedFileIndex(env, cfg, lf, path)}
	if slices.ContainsFunc(files, func(c install.Choice) bool { return c.File.Attestation != nil }) {
		root, err := trustedRoot(env, cfg.Policy)
		if err != nil {
			return nil, err
		}
		if fc.verifier, err = verify.NewVerifier(root); err != nil {
			return nil, err
		}
		res.Root = root.Name()
	}
	found := make([][]Finding, len(files))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(attestParallel)
	for i, c := range files {
		g.Go(func() (err error) {
			found[i], err = fc.check(gctx, c)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for i, c := range files {
		res.Files++
		if c.File.Attestation != nil {
			res.Attested++
		}
		res.Findings = append(res.Findings, found[i]...)
	}
	if o.Installed {
		fs, n, err := checkInstalled(interp, choices)
		if err != nil {
			return nil, err
		}
		res.Installed = n
		res.Findings = append(res.Findings, fs...)
		fs, res.Notes, err = checkOrigins(interp, choices, filepath.Dir(path))
		if err != nil {
			return nil, err
		}
		res.Findings = append(res.Findings, fs...)
	}
	if res.Findings == nil {
		res.Findings = []Finding{}
	}
	if len(res.Findings) > 0 {
		return res, &VerifyFailedError{LockPath: path, Findings: len(res.Findings)}
	}
	return res, nil
}

// chosenFiles are the locked files install fetches for the choices: each
// chosen file, and the wheels of the build dependencies of each package it
// builds (once each, however many builds share them). A source has none.
func chosenFiles(lf *lock.File, choices []install.Choice, supported []tags.Tag, markers pep508.Environment) ([]install.Choice, error) {
	var out []install.Choice
	seen := map[string]bool{} // build dependency file sha256
	for _, c := range choices {
		if c.Package.Source == nil {
			out = append(out, c)
		}
		if !c.Build {
			continue
		}
		deps, err := install.SelectBuild(lf, c.Package, supported, markers)
		if err != nil {
			return nil, err
		}
		for _, d := range deps {
			if !seen[d.File.SHA256] {
				seen[d.File.SHA256] = true
				out = append(out, d)
			}
		}
	}
	return out, nil
}

// lockedFileIndex returns where a locked file is fetched from: its URL with
// the lock's ${VAR} references expanded, and the configured index (with its
// credentials) the package was locked from.
func lockedFileIndex(env *Env, cfg *config.Config, lf *lock.File, lockPath string) install.IndexFor {
	return func(p *lock.Package, d lock.Dist) (index.Index, string, error) {
		u, err := expandVars(d.URL, env.Getenv)
		if err != nil {
			return index.Index{}, "", &InputError{Err: fmt.Errorf("%s: file %s: %w", lockPath, d.Name, err)}
		}
		if x, ok := cfg.Index(p.Index); ok {
			return resolver.ClientIndex(x), u, nil
		}
		for _, li := range lf.Indexes {
			if li.Name == p.Index {
				lu, err := expandVars(li.URL, env.Getenv)
				if err != nil {
					return index.Index{}, "", &InputError{Err: fmt.Errorf("%s: [[index]] %q: %w", lockPath, li.Name, err)}
				}
				return index.Index{Name: li.Name, URL: lu}, u, nil
			}
		}
		return index.Index{Name: p.Index, URL: u}, u, nil
	}
}

// fileChecker checks locked files against the cache (and, with a client,
// the index).
type fileChecker struct {
	env      *Env
	cfg      *config.Config
	client   *index.Client // nil: offline
	verifier *verify.Verifier
	where    install.IndexFor
}

// check returns the findings about one locked file. Errors are failures to
// check (an index down), not findings.
func (fc *fileChecker) check(ctx context.Context, c install.Choice) ([]Finding, error) {
	p, d := c.Package, c.File
	finding := func(kind, detail string) Finding {
		return Finding{Kind: kind, Package: p.Name, Version: p.Version, File: d.Name, Detail: detail}
	}
	var out []Finding
	// The hash: the cache entry's bytes, downloaded first when online.
	cached := ""
	if fc.env.CacheDir != "" && isHexSHA256(d.SHA256) {
		cached = filepath.Join(fc.env.CacheDir, "files", d.SHA256)
	}
	if _, err := os.Stat(cached); (cached == "" || err != nil) && fc.client != nil {
		idx, u, err := fc.where(p, d)
		if err != nil {
			return nil, err
		}
		f := index.File{Filename: d.Name, URL: u, Hashes: map[string]string{"sha256": d.SHA256}}
		if fc.env.CacheDir == "" {
			_, err = fc.client.Download(ctx, idx, f, io.Discard)
			cached = ""
		} else {
			cached, err = fc.client.DownloadToCache(ctx, idx, f)
		}
		var hm *index.HashMismatchError
		if errors.As(err, &hm) {
			f := finding(FindingHashMismatch, "the index serves other bytes than were locked")
			f.Expected, f.Actual = "sha256 "+d.SHA256, "sha256 "+hm.Got
			out = append(out, f)
		} else if err != nil {
			return nil, err
		}
	}
	if cached != "" {
		got, err := verify.FileSHA256(cached)
		switch {
		case errors.Is(err, os.ErrNotExist):
			out = append(out, finding(FindingFileMissing, "not in the cache; run `safepip verify` online (or `safepip install`) to download it"))
		case err != nil:
			return nil, err
		case got != d.SHA256:
			f := finding(FindingHashMismatch, "the cached file ("+cached+") is not the locked one: it was changed on disk")
			f.Expected, f.Actual = "sha256 "+d.SHA256, "sha256 "+got
			out = append(out, f)
		}
	} else if fc.client == nil {
		out = append(out, finding(FindingFileMissing, "no cache to check it in; set SAFEPIP_CACHE_DIR, or run without --offline"))
	}

	more, err := fc.checkAttestation(ctx, c)
	return append(out, more...), err
}

// checkAttestation returns the findings about one locked file's
// attestation and publisher pin.
func (fc *fileChecker) checkAttestation(ctx context.Context, c install.Choice) ([]Finding, error) {
	p, d := c.Package, c.File
	finding := func(kind, detail string) Finding {
		return Finding{Kind: kind, Package: p.Name, Version: p.Version, File: d.Name, Detail: detail}
	}
	var out []Finding
	pin, err := policyPin(fc.cfg.Policy, p.Name)
	if err != nil {
		return nil, err
	}
	a := d.Attestation
	if a == nil {
		if fc.cfg.Policy.AttestationRequired(p.Name) {
			out = append(out, finding(FindingAttestationMissing, "the policy requires an attestation and the lock records none; relock"))
		} else if !pin.IsZero() {
			f := finding(FindingAttestationMissing, "[policy.publishers] pins a publisher and the lock records no attestation; relock")
			f.Expected, f.Actual = pin.String(), "no attestation"
			out = append(out, f)
		}
		return out, nil
	}
	locked := verify.Identity{Publisher: a.Publisher, Workflow: a.Workflow, PredicateType: verify.PredicatePublish}
	if !pin.Matches(locked) {
		f := finding(FindingPublisherPin, "the lock's publisher is not the one [policy.publishers] pins")
		f.Expected, f.Actual = pin.String(), attestationPin(a).String()
		out = append(out, f)
	}
	data, ok, err := fc.provenance(ctx, c)
	if err != nil {
		return nil, err
	}
	if !ok {
		detail := "the provenance recorded in the lock (bundle-sha256 " + a.BundleSHA256 + ") is not in the cache; run `safepip verify` online"
		if fc.client != nil {
			detail = "the index no longer serves the provenance recorded in the lock (bundle-sha256 " + a.BundleSHA256 + ")"
		}
		return append(out, finding(FindingProvenanceMissing, detail)), nil
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != a.BundleSHA256 {
		f := finding(FindingProvenanceChanged, "the index serves another provenance than was locked; relock to see who signed it")
		f.Expected, f.Actual = "bundle-sha256 "+a.BundleSHA256, "bundle-sha256 "+hex.EncodeToString(sum[:])
		return append(out, f), nil
	}
	ids, err := fc.verifier.VerifyProvenance(verify.Distribution{Filename: d.Name, SHA256: d.SHA256}, data, attestationPin(a))
	if err != nil {
		f := finding(FindingAttestationInvalid, err.Error())
		var ae *verify.AttestationError
		if errors.As(err, &ae) {
			f.Detail, f.Expected, f.Actual = ae.Reason, ae.Expected, ae.Actual
		}
		return append(out, f), nil
	}
	if id := ids[0]; id.Identity != a.Identity || id.LogIndex != a.LogIndex || id.Issuer != a.Issuer {
		f := finding(FindingAttestationInvalid, "the verified attestation is not the one the lock records")
		f.Expected = fmt.Sprintf("%s (issuer %s, log index %d)", a.Identity, a.Issuer, a.LogIndex)
		f.Actual = fmt.Sprintf("%s (issuer %s, log index %d)", id.Identity, id.Issuer, id.LogIndex)
		out = append(out, f)
	}
	return out, nil
}

// provenance returns the locked provenance of a file: from the cache, else
// (online) from the index, found again through the project's page.
func (fc *fileChecker) provenance(ctx context.Context, c install.Choice) ([]byte, bool, error) {
	a := c.File.Attestation
	data, ok, err := cachedProvenance(fc.env.CacheDir, a.BundleSHA256)
	if err != nil || ok || fc.client == nil {
		return data, ok, err
	}
	idx, _, err := fc.where(c.Package, c.File)
	if err != nil {
		return nil, false, err
	}
	page, err := fc.client.Project(ctx, idx, c.Package.Name)
	if err != nil {
		return nil, false, err
	}
	for _, f := range page.Files {
		if f.Filename != c.File.Name || f.Provenance == "" {
			continue
		}
		data, err := fc.client.Provenance(ctx, idx, f)
		if err != nil {
			return nil, false, err
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) == a.BundleSHA256 {
			if err := storeProvenance(fc.env.CacheDir, data); err != nil {
				return nil, false, err
			}
		}
		return data, true, nil
	}
	return nil, false, nil
}

// String returns the finding as a message: the package, file and detail,
// then what was expected and what was found on their own lines.
func (f Finding) String() string {
	var b strings.Builder
	b.WriteString(f.Package)
	if f.Version != "" {
		b.WriteString(" " + f.Version)
	}
	if f.File != "" {
		b.WriteString(": " + f.File)
	}
	b.WriteString(": " + f.Kind + ": " + f.Detail)
	if f.Expected != "" || f.Actual != "" {
		b.WriteString("\n    expected: " + f.Expected)
		b.WriteString("\n    actual:   " + f.Actual)
	}
	return b.String()
}

// InstallVerifyError is an attestation problem found by `safepip install`
// before running pip: nothing was installed.
type InstallVerifyError struct {
	Findings []Finding
}

func (e *InstallVerifyError) Error() string {
	var b strings.Builder
	b.WriteString("the locked files failed verification; nothing was installed")
	for _, f := range e.Findings {
		b.WriteString("\n" + f.String())
	}
	b.WriteString("\nhint: run `safepip verify` for the whole report; relock only once you know why a file's attestation changed")
	return b.String()
}

// verifyFetched re-checks the attestations of the files install fetched
// (their hashes were checked by install.Fetch), from the provenance the
// lock recorded, before pip runs.
func verifyFetched(ctx context.Context, env *Env, cfg *config.Config, client *index.Client, where install.IndexFor, fetched []install.Fetched) error {
	fc := &fileChecker{env: env, cfg: cfg, client: client, where: where}
	if slices.ContainsFunc(fetched, func(f install.Fetched) bool { return f.File.Attestation != nil }) {
		root, err := trustedRoot(env, cfg.Policy)
		if err != nil {
			return err
		}
		if fc.verifier, err = verify.NewVerifier(root); err != nil {
			return err
		}
	}
	found := make([][]Finding, len(fetched))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(attestParallel)
	for i, f := range fetched {
		g.Go(func() (err error) {
			found[i], err = fc.checkAttestation(gctx, f.Choice)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	var all []Finding
	for _, fs := range found {
		all = append(all, fs...)
	}
	if len(all) > 0 {
		return &InstallVerifyError{Findings: all}
	}
	return nil
}

// pipTools are installed in every virtual environment by venv and ignored
// as extras, as `pip freeze` ignores them.
var pipTools = []string{"pip", "setuptools", "wheel", "distribute"}

// checkInstalled compares the interpreter's installed distributions with
// the packages chosen for it, and re-hashes the files of the locked ones.
func checkInstalled(interp *install.Interpreter, choices []install.Choice) ([]Finding, int, error) {
	dists, err := verify.Installed(interp.Purelib, interp.Platlib)
	if err != nil {
		return nil, 0, err
	}
	byName := map[string]verify.InstalledDist{}
	for _, d := range dists {
		byName[d.Name] = d
	}
	locked := map[string]bool{}
	var out []Finding
	for _, c := range choices {
		p := c.Package
		if locked[p.Name] {
			continue
		}
		locked[p.Name] = true
		d, ok := byName[p.Name]
		if !ok {
			out = append(out, Finding{Kind: FindingNotInstalled, Package: p.Name, Version: p.Version,
				Detail: "locked for this environment and not installed in " + interp.Purelib})
			continue
		}
		if !sameVersion(d.Version, p.Version) {
			out = append(out, Finding{Kind: FindingVersionChanged, Package: p.Name, Version: p.Version,
				Expected: p.Version, Actual: d.Version, Detail: "installed at another version than locked (" + d.Dir + ")"})
			continue
		}
		problems, err := d.CheckRecord()
		if err != nil {
			return nil, 0, err
		}
		for _, pr := range problems {
			f := Finding{Kind: FindingModifiedOnDisk, Package: p.Name, Version: p.Version, File: pr.Path,
				Expected: "sha256=" + pr.Want, Actual: "sha256=" + pr.Got,
				Detail: "an installed file differs from the wheel's RECORD: edited after installation; reinstall with `safepip install --frozen --force-reinstall`"}
			if pr.Reason == "missing" {
				f.Actual = "missing"
				f.Detail = "an installed file is gone; reinstall with `safepip install --frozen --force-reinstall`"
			}
			out = append(out, f)
		}
	}
	for _, d := range extraDists(dists, choices) {
		out = append(out, Finding{Kind: FindingExtra, Package: d.Name, Version: d.Version,
			Detail: "installed and not in the lock's selection for this environment (" + d.Dir + ")"})
	}
	return out, len(dists), nil
}

// checkOrigins compares where each chosen package installed at its locked
// version came from, by its PEP 610 direct_url.json, with where the lock
// has it: a path source must be installed from that directory (editable
// when locked so: dir_info.editable), a git source from that repository's
// commit, an index package from one of its locked files (pip records the
// sha256 of the file it installed) or from an index (no record). A wheel
// built from a locked sdist has no locked hash to match: a note says so.
// lockDir is the lock's directory, which path sources are relative to.
func checkOrigins(interp *install.Interpreter, choices []install.Choice, lockDir string) ([]Finding, []string, error) {
	dists, err := verify.Installed(interp.Purelib, interp.Platlib)
	if err != nil {
		return nil, nil, err
	}
	byName := map[string]verify.InstalledDist{}
	for _, d := range dists {
		byName[d.Name] = d
	}
	var out []Finding
	var notes []string
	for _, c := range choices {
		p := c.Package
		d, ok := byName[p.Name]
		if !ok || !sameVersion(d.Version, p.Version) {
			continue // not-installed or version-changed already
		}
		du, err := d.DirectURL()
		if err != nil {
			out = append(out, Finding{Kind: FindingSourceMismatch, Package: p.Name, Version: p.Version, File: filepath.Join(d.Dir, "direct_url.json"),
				Detail: "where it was installed from cannot be read: " + err.Error() + "; reinstall with `safepip install --frozen --force-reinstall`"})
			continue
		}
		if why, want := originMismatch(c, du, lockDir); why != "" {
			got := "an index (no direct_url.json)"
			if du != nil {
				got = du.String()
			}
			out = append(out, Finding{Kind: FindingSourceMismatch, Package: p.Name, Version: p.Version, Expected: want, Actual: got,
				Detail: why + "; reinstall with `safepip install --frozen --force-reinstall`"})
			continue
		}
		if c.Sdist {
			notes = append(notes, fmt.Sprintf("%s %s was built from its locked sdist %s: its installed files are checked against their RECORD, but a wheel built here has no locked hash to match",
				p.Name, p.Version, c.File.Name))
		}
	}
	return out, notes, nil
}

// originMismatch says why du (nil: installed from an index) is not where
// the lock has c's package from, and what the lock expects; "" when it is.
func originMismatch(c install.Choice, du *verify.DirectURL, lockDir string) (why, want string) {
	p := c.Package
	switch s := p.Source; {
	case s != nil && s.Path != "":
		dir := filepath.Join(lockDir, filepath.FromSlash(s.Path))
		want = "the directory " + verify.FileURL(dir)
		if s.Editable {
			want = "the editable directory " + verify.FileURL(dir)
		}
		if du == nil || du.DirInfo == nil {
			return "locked from a directory (source path " + strconv.Quote(s.Path) + "), installed from elsewhere", want
		}
		if got, ok := verify.FilePath(du.URL); !ok || !samePath(got, dir) {
			return "installed from another directory than the locked source path " + strconv.Quote(s.Path) + " (relative to the lock)", want
		}
		if du.DirInfo.Editable != s.Editable {
			if s.Editable {
				return "locked as an editable install, installed as a copy of the directory", want
			}
			return "locked as a copy of the directory, installed editable", want
		}
	case s != nil:
		want = "git " + s.Git + "@" + s.Commit
		if s.Subdirectory != "" {
			want += " (subdirectory " + s.Subdirectory + ")"
		}
		if du == nil || du.VCSInfo == nil || du.VCSInfo.VCS != "git" {
			return "locked from a git commit, installed from elsewhere", want
		}
		if du.VCSInfo.CommitID != s.Commit {
			return "installed from another commit than locked", want
		}
		if withoutUserinfo(du.URL) != withoutUserinfo(s.Git) || du.Subdirectory != s.Subdirectory {
			return "installed from another repository or subdirectory than locked", want
		}
	case du == nil:
		// from an index: pip records no origin
	case du.DirInfo != nil || du.VCSInfo != nil:
		return "locked from index " + strconv.Quote(p.Index) + ", installed from a source tree", "index " + strconv.Quote(p.Index)
	case !c.Sdist:
		got := du.ArchiveInfo.SHA256()
		if got == "" || slices.ContainsFunc(p.Files, func(d lock.Dist) bool { return d.SHA256 == got }) {
			return "", ""
		}
		return "installed from a file whose sha256 is none of the locked files'", "one of the locked files (" + c.File.Name + " sha256 " + c.File.SHA256 + ")"
	}
	return "", ""
}

// samePath reports whether two local paths name the same directory,
// symbolic links resolved where they exist.
func samePath(a, b string) bool {
	clean := func(p string) string {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		return filepath.Clean(p)
	}
	return clean(a) == clean(b)
}

// withoutUserinfo drops a URL's credentials, which pip may strip from
// what it records.
func withoutUserinfo(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	u.User = nil
	return u.String()
}

// recordSourceInstalls makes the installed distributions of the chosen
// source packages say where they came from, as verify --installed checks:
// pip installed the wheel built from the source, so its direct_url.json
// names that wheel file. Call it after pip ran. lockDir is the lock's
// directory.
func recordSourceInstalls(interp *install.Interpreter, choices []install.Choice, lockDir string) error {
	dists, err := verify.Installed(interp.Purelib, interp.Platlib)
	if err != nil {
		return err
	}
	for _, c := range choices {
		s := c.Package.Source
		if s == nil {
			continue
		}
		i := slices.IndexFunc(dists, func(d verify.InstalledDist) bool { return d.Name == c.Package.Name })
		if i < 0 {
			return fmt.Errorf("%s %s was built and handed to pip, and is not installed in %s", c.Package.Name, c.Package.Version, interp.Purelib)
		}
		if err := dists[i].WriteDirectURL(sourceDirectURL(s, lockDir)); err != nil {
			return err
		}
	}
	return nil
}

// sourceDirectURL is the PEP 610 record of an install from s, as pip
// writes it for `pip install [-e] DIR` and `pip install git+URL@COMMIT`.
func sourceDirectURL(s *lock.Source, lockDir string) *verify.DirectURL {
	if s.Path != "" {
		abs, err := filepath.Abs(filepath.Join(lockDir, filepath.FromSlash(s.Path)))
		if err != nil {
			abs = filepath.Join(lockDir, filepath.FromSlash(s.Path))
		}
		return &verify.DirectURL{URL: verify.FileURL(abs), DirInfo: &verify.DirInfo{Editable: s.Editable}}
	}
	return &verify.DirectURL{URL: s.Git, Subdirectory: s.Subdirectory, VCSInfo: &verify.VCSInfo{VCS: "git", CommitID: s.Commit}}
}

// extraDists are the installed distributions that the lock's selection
// for the environment (choices) does not hold, pip's own tools excepted
// unless locked: what verify --installed reports as extra and what
// install --exact removes. One function, so the two always agree.
func extraDists(dists []verify.InstalledDist, choices []install.Choice) []verify.InstalledDist {
	locked := map[string]bool{}
	for _, c := range choices {
		locked[c.Package.Name] = true
	}
	var out []verify.InstalledDist
	for _, d := range dists {
		if locked[d.Name] || slices.Contains(pipTools, d.Name) {
			continue
		}
		out = append(out, d)
	}
	return out
}

func sameVersion(a, b string) bool {
	va, errA := pep440.Parse(a)
	vb, errB := pep440.Parse(b)
	if errA != nil || errB != nil {
		return strings.TrimSpace(a) == strings.TrimSpace(b)
	}
	return va.Compare(vb) == 0
}
