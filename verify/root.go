package verify

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/tuf"
	"github.com/theupdateframework/go-tuf/v2/metadata/fetcher"
)

// publicGoodRoot is the Sigstore public-good trusted_root.json as distributed
// through TUF (tuf-repo-cdn.sigstore.dev), snapshot of 2025-10-21. It is
// public data; a root only adds keys over time, so an older snapshot still
// verifies everything signed while its keys were current.
//
//go:embed trusted_root.public-good.json
var publicGoodRoot []byte

// PublicGoodRootName names the embedded root in messages.
const PublicGoodRootName = "embedded Sigstore public-good root (snapshot 2025-10-21)"

// TrustedRootFile is the name of the trusted root that UpdateTrustedRoot
// writes into its cache directory.
const TrustedRootFile = "trusted_root.json"

// Errors about trusted roots, matched with errors.Is.
var (
	// ErrBadRoot: a trusted_root.json that does not parse.
	ErrBadRoot = errors.New("unusable trusted root")
	// ErrStaleRoot: a trusted root none of whose keys of some kind is still
	// valid, so that nothing signed today can verify against it.
	ErrStaleRoot = errors.New("stale trusted root")
	// ErrRootUpdate: refreshing the root through TUF failed (usually the
	// network).
	ErrRootUpdate = errors.New("trusted root update failed")
)

// refreshHint says how to get a current root, for every root message.
const refreshHint = `refresh it with "safepip trust update" (needs network), or set [policy] trusted-root in safepip.toml to a current trusted_root.json`

// A RootError reports a problem with a trusted root, naming it.
type RootError struct {
	Root   string // the root's name: PublicGoodRootName, a file path, ...
	Kind   error  // ErrBadRoot, ErrStaleRoot or ErrRootUpdate
	Reason string
	Err    error // the underlying cause, may be nil
}

func (e *RootError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "trusted root %s: %s", e.Root, e.Reason)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.Kind == ErrStaleRoot || e.Kind == ErrRootUpdate {
		b.WriteString("\nhint: ")
		if e.Kind == ErrRootUpdate {
			b.WriteString(`offline, set [policy] trusted-root in safepip.toml to a trusted_root.json file; the root compiled into safepip needs no network`)
		} else {
			b.WriteString(refreshHint)
		}
	}
	return b.String()
}

// Unwrap makes errors.Is match both the Kind and the cause.
func (e *RootError) Unwrap() []error {
	errs := []error{e.Kind}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// A TrustedRoot is a parsed Sigstore trusted_root.json with the name that
// messages use for it.
type TrustedRoot struct {
	name     string
	json     []byte
	material *root.TrustedRoot
}

// PublicGoodRoot returns the Sigstore public-good root compiled into safepip.
func PublicGoodRoot() *TrustedRoot {
	r, err := LoadTrustedRoot(PublicGoodRootName, publicGoodRoot)
	if err != nil {
		panic("verify: embedded public-good root: " + err.Error()) // a bug: the file is ours and tested
	}
	return r
}

// LoadTrustedRoot parses a Sigstore trusted_root.json (media type
// application/vnd.dev.sigstore.trustedroot+json;version=0.1). name, usually
// the file's path, is what messages call the root.
func LoadTrustedRoot(name string, data []byte) (*TrustedRoot, error) {
	if len(data) > maxRootBytes {
		return nil, &RootError{Root: name, Kind: ErrBadRoot, Reason: fmt.Sprintf("larger than %d bytes", maxRootBytes)}
	}
	tr, err := root.NewTrustedRootFromJSON(data)
	if err != nil {
		return nil, &RootError{Root: name, Kind: ErrBadRoot, Reason: "not a Sigstore trusted_root.json", Err: err}
	}
	if len(tr.FulcioCertificateAuthorities()) == 0 || len(tr.RekorLogs()) == 0 {
		return nil, &RootError{Root: name, Kind: ErrBadRoot, Reason: "no Fulcio certificate authority or no Rekor transparency log"}
	}
	return &TrustedRoot{name: name, json: data, material: tr}, nil
}

const maxRootBytes = 4 << 20

// Name returns what messages call the root.
func (r *TrustedRoot) Name() string { return r.name }

// JSON returns the bytes the root was parsed from, to save it.
func (r *TrustedRoot) JSON() []byte { return r.json }

// Material returns the root for sigstore-go.
func (r *TrustedRoot) Material() root.TrustedMaterial { return r.material }

// CheckFresh returns a *RootError (ErrStaleRoot) when, at now, no Fulcio
// certificate authority, no Rekor log or no certificate transparency log of
// the root is valid any more: attestations signed today would then fail with
// "0 < 1 log entries" or "0 SCT entries". Verification itself never reads the
// clock; callers check freshness once, before verifying new attestations.
func (r *TrustedRoot) CheckFresh(now time.Time) error {
	var ends []time.Time
	fulcio := false
	for _, ca := range r.material.FulcioCertificateAuthorities() {
		f, ok := ca.(*root.FulcioCertificateAuthority)
		if !ok {
			continue
		}
		end := f.ValidityPeriodEnd
		if f.Root != nil && (end.IsZero() || f.Root.NotAfter.Before(end)) {
			end = f.Root.NotAfter
		}
		if covers(f.ValidityPeriodStart, end, now) {
			fulcio = true
		}
		ends = append(ends, end)
	}
	if !fulcio {
		return r.stale("no Fulcio certificate authority", ends, now)
	}
	for _, k := range []struct {
		what string
		logs map[string]*root.TransparencyLog
	}{
		{"no Rekor transparency log key", r.material.RekorLogs()},
		{"no certificate transparency log key", r.material.CTLogs()},
	} {
		ends = ends[:0]
		ok := false
		for _, l := range k.logs {
			if covers(l.ValidityPeriodStart, l.ValidityPeriodEnd, now) {
				ok = true
			}
			ends = append(ends, l.ValidityPeriodEnd)
		}
		if !ok {
			return r.stale(k.what, ends, now)
		}
	}
	return nil
}

func covers(start, end, t time.Time) bool {
	return (start.IsZero() || !t.Before(start)) && (end.IsZero() || t.Before(end))
}

func (r *TrustedRoot) stale(what string, ends []time.Time, now time.Time) error {
	var last time.Time
	for _, e := range ends {
		if e.After(last) {
			last = e
		}
	}
	reason := fmt.Sprintf("%s is valid on %s", what, now.UTC().Format(time.DateOnly))
	if !last.IsZero() {
		reason += fmt.Sprintf(" (the last one ended %s)", last.UTC().Format(time.DateOnly))
	}
	return &RootError{Root: r.name, Kind: ErrStaleRoot, Reason: reason}
}

// UpdateOptions configure UpdateTrustedRoot. The zero value means the
// Sigstore public-good TUF repository, starting from the TUF root that
// sigstore-go embeds.
type UpdateOptions struct {
	RepositoryURL string       // default https://tuf-repo-cdn.sigstore.dev
	TUFRoot       []byte       // the TUF root.json to start from; default sigstore-go's
	HTTPClient    *http.Client // default: a client with a 30 s timeout
}

// UpdateTrustedRoot fetches the current trusted_root.json through TUF (its
// metadata cached under cacheDir/tuf), writes it atomically to
// cacheDir/trusted_root.json and returns it. This is the only function of
// the package that uses the network.
func UpdateTrustedRoot(ctx context.Context, cacheDir string, opts UpdateOptions) (*TrustedRoot, error) {
	if opts.RepositoryURL == "" {
		opts.RepositoryURL = tuf.DefaultMirror
	}
	if opts.TUFRoot == nil {
		opts.TUFRoot = tuf.DefaultRoot()
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	name := "from TUF repository " + opts.RepositoryURL
	fail := func(reason string, err error) error {
		return &RootError{Root: name, Kind: ErrRootUpdate, Reason: reason, Err: err}
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return nil, fail("creating the cache directory", err)
	}
	f := fetcher.NewDefaultFetcher()
	f.SetHTTPClient(contextClient{ctx: ctx, c: opts.HTTPClient})
	to := tuf.DefaultOptions().
		WithRoot(opts.TUFRoot).
		WithRepositoryBaseURL(opts.RepositoryURL).
		WithCachePath(filepath.Join(cacheDir, "tuf")).
		WithCacheValidity(tuf.NoCache). // an explicit update always asks the repository
		WithFetcher(f).
		WithContext(ctx)
	client, err := tuf.New(to)
	if err != nil {
		return nil, fail("TUF metadata update", err)
	}
	data, err := client.GetTarget(TrustedRootFile)
	if err != nil {
		return nil, fail("fetching "+TrustedRootFile, err)
	}
	path := filepath.Join(cacheDir, TrustedRootFile)
	r, err := LoadTrustedRoot(path, data)
	if err != nil {
		return nil, fail("the repository served an unusable "+TrustedRootFile, err)
	}
	if err := writeFileAtomic(path, data); err != nil {
		return nil, fail("saving "+TrustedRootFile, err)
	}
	return r, nil
}

// contextClient gives every TUF request the caller's context: the TUF
// fetcher builds its requests without one.
type contextClient struct {
	ctx context.Context
	c   *http.Client
}

func (c contextClient) Do(req *http.Request) (*http.Response, error) {
	return c.c.Do(req.WithContext(c.ctx))
}

func writeFileAtomic(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
