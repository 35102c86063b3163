package project

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/verify"
)

// Network is what the command line says about talking to indexes; each
// zero value leaves the setting to the environment, then the default.
type Network struct {
	Timeout time.Duration // --timeout
	Retries *int          // --retries
}

// newClient returns an index client for env: its cache, netrc and log, with
// o's other fields, and the network settings env gives, each taken from
// the first of:
//
//	timeout          --timeout, SAFEPIP_HTTP_TIMEOUT, pip's timeout (seconds)
//	retries          --retries, SAFEPIP_HTTP_RETRIES, pip's retries
//	low-speed limit  SAFEPIP_HTTP_LOW_SPEED_LIMIT (bytes/s, 0 for none)
//
// then index's defaults. pip's settings are read as pip reads them
// (PIP_TIMEOUT or PIP_DEFAULT_TIMEOUT, PIP_RETRIES, then pip.conf's
// [install] and [global]) and mean what they mean to pip, so a CI job that
// sets them for pip gets the same patience from safepip. Its errors are
// input errors: callers wrap them in *InputError.
func (e *Env) newClient(o index.Options) (*index.Client, error) {
	o.CacheDir, o.NetrcPath, o.Logf = e.CacheDir, e.NetrcPath, e.Logf
	n, err := e.network()
	if err != nil {
		return nil, err
	}
	o.Timeout, o.Retries, o.LowSpeedLimit = n.timeout, n.retries, n.lowSpeed
	return index.NewClient(o)
}

// rootUpdateNetwork returns the limits of the Sigstore trusted-root update
// (safepip trust update): the settings newClient gives the index client,
// so --timeout, --retries and their variables bound every network wait
// alike. Its errors are input errors, as newClient's.
func (e *Env) rootUpdateNetwork() (verify.Network, error) {
	n, err := e.network()
	if err != nil {
		return verify.Network{}, err
	}
	// Both packages read 0 as the default and a negative value as none.
	return verify.Network{Timeout: n.timeout, Retries: n.retries, LowSpeedLimit: n.lowSpeed}, nil
}

// networkSettings are index.Options values: 0 for the default, a negative
// count for none.
type networkSettings struct {
	timeout  time.Duration
	retries  int
	lowSpeed int64
}

func (e *Env) network() (networkSettings, error) {
	var s networkSettings
	retries := e.Network.Retries
	timeoutValue, timeoutFrom := e.firstEnv("SAFEPIP_HTTP_TIMEOUT")
	retriesValue, retriesFrom := e.firstEnv("SAFEPIP_HTTP_RETRIES")
	if e.Network.Timeout == 0 && timeoutValue == "" || retries == nil && retriesValue == "" {
		pc, err := readPipConf(e)
		if err != nil {
			return s, err
		}
		if v := pc.pip.Timeout; timeoutValue == "" && v != nil {
			timeoutValue, timeoutFrom = strings.TrimSpace(v.Value), v.Source
		}
		if v := pc.pip.Retries; retriesValue == "" && v != nil {
			retriesValue, retriesFrom = strings.TrimSpace(v.Value), v.Source
		}
	}
	if s.timeout = e.Network.Timeout; s.timeout == 0 && timeoutValue != "" {
		secs, err := strconv.ParseFloat(timeoutValue, 64)
		if err != nil || !(secs > 0) || secs > math.MaxInt64/float64(time.Second) {
			return s, fmt.Errorf("%s: timeout %q: want a number of seconds greater than 0, as 30", timeoutFrom, timeoutValue)
		}
		s.timeout = time.Duration(secs * float64(time.Second))
	}
	if retries == nil && retriesValue != "" {
		n, err := strconv.Atoi(retriesValue)
		if err != nil || n < 0 {
			return s, fmt.Errorf("%s: retries %q: want a count, 0 or more, as 3", retriesFrom, retriesValue)
		}
		retries = &n
	}
	if retries != nil {
		s.retries = *retries
		if s.retries == 0 {
			s.retries = -1 // index.Options: 0 is the default, negative none
		}
	}
	if v, name := e.firstEnv("SAFEPIP_HTTP_LOW_SPEED_LIMIT"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return s, fmt.Errorf("%s: %q: want bytes per second, 0 or more (0 turns the limit off), as 1024", name, v)
		}
		if s.lowSpeed = n; n == 0 {
			s.lowSpeed = -1
		}
	}
	return s, nil
}

// firstEnv returns the value and name of the first of names set to
// something other than blanks.
func (e *Env) firstEnv(names ...string) (value, name string) {
	if e.Getenv == nil {
		return "", ""
	}
	for _, n := range names {
		if v, ok := e.Getenv(n); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v), n
		}
	}
	return "", ""
}
