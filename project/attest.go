package project

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/resolver"
	"github.com/safepip/safepip/verify"
)

// provenanceDir is the cache directory of provenance objects, stored under
// the sha256 the lock records as bundle-sha256, so that `safepip verify
// --offline` finds them from the lock alone.
const provenanceDir = "provenance-by-sha256"

// attestParallel bounds the provenance fetches and verifications in flight.
const attestParallel = 8

// MissingAttestationError is a file without a verified attestation whose
// project the policy requires to have one (attestations = "require", or
// require-attestations).
type MissingAttestationError struct {
	Package string
	Version string
	File    string
	Pin     string // the [policy.publishers] pin that requires it, "" for none
}

func (e *MissingAttestationError) Error() string {
	if e.Pin != "" {
		return fmt.Sprintf("%s %s: %s has no PEP 740 attestation, and [policy.publishers] pins %s for it\nhint: the index serves no provenance for this file, so nothing proves who published it; remove the pin of %q from safepip.toml only if you know why it stopped being attested",
			e.Package, e.Version, e.File, e.Pin, e.Package)
	}
	return fmt.Sprintf("%s %s: %s has no PEP 740 attestation, and the policy requires one\nhint: the index serves no provenance for this file; ask the project to publish with a Trusted Publisher, or remove %q from require-attestations (or set attestations = \"verify\") in [policy] of safepip.toml",
		e.Package, e.Version, e.File, e.Package)
}

// PublisherChangeError is a project whose publisher differs from the one
// the existing lock recorded (trust on first use), or whose new files carry
// no attestation where the locked ones had one.
type PublisherChangeError struct {
	Package string
	Version string // the version about to be locked
	File    string // the upload that changed
	Old     string // the locked publisher (and workflow)
	New     string // the publisher now; "no attestation" when it vanished
}

func (e *PublisherChangeError) Error() string {
	return fmt.Sprintf("%s %s: the publisher of %s is not the one in the lock\nexpected: %s (locked)\nactual:   %s\nhint: a new publisher (or none) may mean a stolen upload token or a moved repository; check with the project, then relock with --allow-publisher-change %s",
		e.Package, e.Version, e.File, e.Old, e.New, e.Package)
}

// trustedRoot returns the root attestations verify against: the policy's
// trusted-root file, else the one `safepip trust update` saved in the
// cache, else the public-good root compiled into safepip.
func trustedRoot(env *Env, pol config.Policy) (*verify.TrustedRoot, error) {
	if pol.TrustedRoot != "" {
		path := env.abs(pol.TrustedRoot)
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, &InputError{Err: fmt.Errorf("[policy] trusted-root: %w", err)}
		}
		r, err := verify.LoadTrustedRoot(path, data)
		if err != nil {
			return nil, &InputError{Err: err}
		}
		return r, nil
	}
	if env.CacheDir != "" {
		path := filepath.Join(env.CacheDir, verify.TrustedRootFile)
		if data, err := os.ReadFile(path); err == nil {
			r, err := verify.LoadTrustedRoot(path, data)
			if err != nil {
				return nil, fmt.Errorf("%w\nhint: run \"safepip trust update\" again, or delete %s to use the root compiled into safepip", err, path)
			}
			return r, nil
		}
	}
	return verify.PublicGoodRoot(), nil
}

// policyPin returns the [policy.publishers] pin of project, or the zero Pin.
func policyPin(pol config.Policy, project string) (verify.Pin, error) {
	p, ok := pol.Publishers[pep508.NormalizeName(project)]
	if !ok {
		return verify.Pin{}, nil
	}
	pin, err := verify.ParsePin(p.String(), p.Workflow)
	if err != nil {
		return verify.Pin{}, &InputError{Err: fmt.Errorf("%s: [policy.publishers] %s: %w", p.Source, project, err)}
	}
	return pin, nil
}

// lockedPins returns the publishers the old lock recorded for a file of
// project: the attestation of the same file when it was locked, else those
// of all the project's files (a project may publish its files from several
// workflows). None when the project had no attestation, or when the very
// same file (name and sha256) was locked without one.
func lockedPins(old *lock.File, project string, d lock.Dist) []verify.Pin {
	if old == nil {
		return nil
	}
	// A universal lock may hold several versions of project (one per
	// fork): the publishers of all of them are the project's.
	entries := old.Versions(project)
	for _, p := range entries {
		for _, od := range p.Files {
			if od.Name == d.Name && od.SHA256 == d.SHA256 {
				if od.Attestation == nil {
					return nil
				}
				return []verify.Pin{attestationPin(od.Attestation)}
			}
		}
	}
	var pins []verify.Pin
	for _, p := range entries {
		for _, od := range p.Files {
			if od.Attestation != nil && !slices.Contains(pins, attestationPin(od.Attestation)) {
				pins = append(pins, attestationPin(od.Attestation))
			}
		}
	}
	return pins
}

// matchesAny reports whether a recorded attestation satisfies one of pins.
func matchesAny(pins []verify.Pin, id verify.Identity) bool {
	return slices.ContainsFunc(pins, func(p verify.Pin) bool { return p.Matches(id) })
}

func attestationPin(a *lock.Attestation) verify.Pin {
	return verify.Pin{Publisher: a.Publisher, Workflow: a.Workflow}
}

// attestationOf is what the lock records of a verified identity.
func attestationOf(id verify.Identity, provenance []byte) *lock.Attestation {
	sum := sha256.Sum256(provenance)
	return &lock.Attestation{
		Publisher:    id.Publisher,
		Workflow:     id.Workflow,
		Identity:     id.Identity,
		Issuer:       id.Issuer,
		LogIndex:     id.LogIndex,
		BundleSHA256: hex.EncodeToString(sum[:]),
	}
}

// attestLock fetches and verifies the PEP 740 provenance of every file of
// lf (sol.Packages[i] is lf.Packages[i], file for file), records the
// verified publisher in the lock and enforces the policy and the publishers
// of the old lock. allowChange names the projects whose publisher may
// differ from the old lock's.
func attestLock(ctx context.Context, env *Env, cfg *config.Config, client *index.Client, sol *resolver.Resolution, lf *lock.File, old *lock.File, allowChange []string) error {
	pol := cfg.Policy
	if pol.Attestations != config.Verify {
		lf.Policy.Attestations = pol.Attestations.String()
	}
	type job struct {
		pkg  *lock.Package
		dist *lock.Dist
		file index.File
		idx  index.Index
		pin  verify.Pin
	}
	var jobs []job
	if len(sol.Packages) != len(lf.Packages) {
		return fmt.Errorf("internal error: %d packages resolved, %d locked", len(sol.Packages), len(lf.Packages))
	}
	for i, p := range sol.Packages {
		lp := &lf.Packages[i]
		if lp.Name != p.Name || len(lp.Files) != len(p.Files) {
			return fmt.Errorf("internal error: resolved %s (%d files) locked as %s (%d files)", p.Name, len(p.Files), lp.Name, len(lp.Files))
		}
		pin, err := policyPin(pol, lp.Name)
		if err != nil {
			return err
		}
		// a pinned publisher can only be proven by an attestation
		required := pol.AttestationRequired(lp.Name) || !pin.IsZero()
		if pol.Attestations == config.Off && !required {
			continue
		}
		x, _ := cfg.Index(p.Project.Index)
		for j, f := range p.Files {
			if f.Provenance == "" {
				if required {
					e := &MissingAttestationError{Package: lp.Name, Version: lp.Version, File: f.Filename}
					if !pol.AttestationRequired(lp.Name) {
						e.Pin = pin.String()
					}
					return e
				}
				continue
			}
			jobs = append(jobs, job{pkg: lp, dist: &lp.Files[j], file: f, idx: resolver.ClientIndex(x), pin: pin})
		}
	}
	if len(jobs) > 0 {
		root, err := trustedRoot(env, pol)
		if err != nil {
			return err
		}
		v, err := verify.NewVerifier(root)
		if err != nil {
			return err
		}
		env.logf("verifying the attestations of %d files with the %s", len(jobs), root.Name())
		ids := make([][]verify.Identity, len(jobs))
		provs := make([][]byte, len(jobs))
		var done atomic.Int64
		stop := env.statusTicker(func() string { return fmt.Sprintf("verifying attestations: %d/%d files", done.Load(), len(jobs)) })
		defer stop()
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(attestParallel)
		for i, jb := range jobs {
			g.Go(func() error {
				data, err := client.Provenance(gctx, jb.idx, jb.file)
				if err != nil {
					return fmt.Errorf("%s %s: provenance of %s: %w", jb.pkg.Name, jb.pkg.Version, jb.file.Filename, err)
				}
				dist := verify.Distribution{Filename: jb.dist.Name, SHA256: jb.dist.SHA256}
				key := verifiedKey(root, dist, data, jb.pin)
				if got, ok := loadVerified(env.CacheDir, key); ok {
					ids[i], provs[i] = got, data
					done.Add(1)
					return nil
				}
				got, err := v.VerifyProvenance(dist, data, jb.pin)
				if err != nil {
					return attestFailure(env, root, jb.pkg, err)
				}
				ids[i], provs[i] = got, data
				done.Add(1)
				if err := storeProvenance(env.CacheDir, data); err != nil {
					return err
				}
				return storeVerified(env.CacheDir, key, got)
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		for i, jb := range jobs {
			id := ids[i][0]
			// With several publishers (third parties may add bundles),
			// keep the one the lock already trusts.
			if prev := lockedPins(old, jb.pkg.Name, *jb.dist); len(prev) > 0 {
				for _, other := range ids[i] {
					if matchesAny(prev, other) {
						id = other
						break
					}
				}
			}
			jb.dist.Attestation = attestationOf(id, provs[i])
		}
	}
	return checkPublishers(lf, old, allowChange)
}

// attestFailure names the package in a verification failure and, when the
// root can no longer verify anything new, says so.
func attestFailure(env *Env, root *verify.TrustedRoot, p *lock.Package, err error) error {
	err = fmt.Errorf("%s %s: %w", p.Name, p.Version, err)
	if errors.Is(err, verify.ErrAttestationInvalid) {
		if ferr := root.CheckFresh(env.now()); ferr != nil {
			return errors.Join(err, ferr)
		}
	}
	return err
}

// checkPublishers compares every package's publishers with the old lock's
// (trust on first use): a project that had a publisher keeps it on every
// file, unless it is named in allowChange.
func checkPublishers(lf, old *lock.File, allowChange []string) error {
	if old == nil {
		return nil
	}
	allowed := map[string]bool{}
	for _, n := range allowChange {
		allowed[pep508.NormalizeName(n)] = true
	}
	for _, p := range lf.Packages {
		if allowed[p.Name] {
			continue
		}
		for _, d := range p.Files {
			prev := lockedPins(old, p.Name, d)
			if len(prev) == 0 {
				continue
			}
			now := "no attestation"
			if d.Attestation != nil {
				if matchesAny(prev, verify.Identity{Publisher: d.Attestation.Publisher, Workflow: d.Attestation.Workflow, PredicateType: verify.PredicatePublish}) {
					continue
				}
				now = attestationPin(d.Attestation).String()
			}
			olds := make([]string, len(prev))
			for i, pin := range prev {
				olds[i] = pin.String()
			}
			return &PublisherChangeError{Package: p.Name, Version: p.Version, File: d.Name, Old: strings.Join(olds, " or "), New: now}
		}
	}
	return nil
}

// storeProvenance keeps provenance bytes in the cache under their sha256.
func storeProvenance(cacheDir string, data []byte) error {
	if cacheDir == "" {
		return nil
	}
	sum := sha256.Sum256(data)
	dir := filepath.Join(cacheDir, provenanceDir)
	path := filepath.Join(dir, hex.EncodeToString(sum[:]))
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return lock.WriteFileAtomic(path, data)
}

// cachedProvenance returns the provenance stored under bundleSHA256, after
// checking that its bytes still hash to it; ok is false when it is absent,
// or damaged (then the entry is removed: it is a cache miss, not a change
// of provenance at the index).
func cachedProvenance(cacheDir, bundleSHA256 string) (data []byte, ok bool, err error) {
	if cacheDir == "" || !isHexSHA256(bundleSHA256) {
		return nil, false, nil
	}
	path := filepath.Join(cacheDir, provenanceDir, bundleSHA256)
	data, err = os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != bundleSHA256 {
		os.Remove(path)
		return nil, false, nil
	}
	return data, true, nil
}

func isHexSHA256(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == sha256.Size && s == strings.ToLower(s)
}

// TrustUpdateOptions are the inputs of `safepip trust update`.
type TrustUpdateOptions struct {
	// RepositoryURL is the TUF repository; "" for Sigstore's public-good one.
	RepositoryURL string
}

// TrustUpdate refreshes the Sigstore trusted root through TUF into the
// cache, where lock, install and verify find it when safepip.toml names no
// trusted-root. It returns the saved root.
func TrustUpdate(ctx context.Context, env *Env, o TrustUpdateOptions) (*verify.TrustedRoot, error) {
	if env.CacheDir == "" {
		return nil, &InputError{Err: errors.New("no cache directory to keep the trusted root in; set SAFEPIP_CACHE_DIR")}
	}
	// the same time limits as every index request: --timeout, --retries,
	// SAFEPIP_HTTP_*, then pip's settings
	n, err := env.rootUpdateNetwork()
	if err != nil {
		return nil, &InputError{Err: err}
	}
	return verify.UpdateTrustedRoot(ctx, env.CacheDir, verify.UpdateOptions{RepositoryURL: o.RepositoryURL, Network: n})
}

// verifiedDir keeps the identities that verifications at lock time
// returned, so that a warm relock does not spend milliseconds of CPU per
// file proving again what it proved before. Only `safepip lock` reads it:
// install and verify always verify in full, so an entry planted in the
// cache can at most put a wrong identity into a lock, which they refuse.
const verifiedDir = "attestations-verified"

// verifiedKey names a verification by everything that decides its result:
// the trusted root, the file, the provenance bytes and the pin.
func verifiedKey(root *verify.TrustedRoot, dist verify.Distribution, provenance []byte, pin verify.Pin) string {
	rootSum := sha256.Sum256(root.JSON())
	provSum := sha256.Sum256(provenance)
	h := sha256.New()
	fmt.Fprintf(h, "safepip verified attestation v1\n%x\n%s\n%s\n%x\n%s\n%s\n",
		rootSum, dist.Filename, dist.SHA256, provSum, pin.Publisher, pin.Workflow)
	return hex.EncodeToString(h.Sum(nil))
}

// loadVerified returns the identities stored under key; ok is false when
// there are none or the entry does not parse (then it is verified again).
func loadVerified(cacheDir, key string) ([]verify.Identity, bool) {
	if cacheDir == "" {
		return nil, false
	}
	data, err := os.ReadFile(filepath.Join(cacheDir, verifiedDir, key))
	if err != nil {
		return nil, false
	}
	var ids []verify.Identity
	if err := json.Unmarshal(data, &ids); err != nil || len(ids) == 0 || ids[0].Publisher == "" {
		return nil, false
	}
	return ids, true
}

func storeVerified(cacheDir, key string, ids []verify.Identity) error {
	if cacheDir == "" {
		return nil
	}
	data, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	dir := filepath.Join(cacheDir, verifiedDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return lock.WriteFileAtomic(filepath.Join(dir, key), data)
}
