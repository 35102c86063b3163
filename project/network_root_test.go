package project

import (
	"os"
	"testing"
	"time"

	"github.com/safepip/safepip/verify"
)

// TestRootUpdateNetwork: the trusted-root update gets the network settings
// the index client gets, from the same flags and variables, with the same
// meaning of 0 (the default) and of a negative value (none).
func TestRootUpdateNetwork(t *testing.T) {
	two, zero := 2, 0
	env := func(flag Network, vars ...string) *Env {
		getenv := func(k string) (string, bool) {
			if k == "PIP_CONFIG_FILE" {
				return os.DevNull, true // not the machine's pip.conf
			}
			for i := 0; i+1 < len(vars); i += 2 {
				if vars[i] == k {
					return vars[i+1], true
				}
			}
			return "", false
		}
		return &Env{Network: flag, Getenv: getenv}
	}
	for _, c := range []struct {
		env  *Env
		want verify.Network
	}{
		{env(Network{}), verify.Network{}},
		{env(Network{Timeout: 3 * time.Second, Retries: &two}), verify.Network{Timeout: 3 * time.Second, Retries: 2}},
		{env(Network{Retries: &zero}, "SAFEPIP_HTTP_RETRIES", "5"), verify.Network{Retries: -1}},
		{env(Network{}, "SAFEPIP_HTTP_TIMEOUT", "4", "PIP_RETRIES", "5", "SAFEPIP_HTTP_LOW_SPEED_LIMIT", "0"),
			verify.Network{Timeout: 4 * time.Second, Retries: 5, LowSpeedLimit: -1}},
		{env(Network{}, "SAFEPIP_HTTP_LOW_SPEED_LIMIT", "2048"), verify.Network{LowSpeedLimit: 2048}},
	} {
		got, err := c.env.rootUpdateNetwork()
		if err != nil || got != c.want {
			t.Errorf("rootUpdateNetwork() = %+v, %v; want %+v", got, err, c.want)
		}
	}
	if _, err := env(Network{}, "PIP_TIMEOUT", "soon").rootUpdateNetwork(); err == nil || err.Error() != `PIP_TIMEOUT: timeout "soon": want a number of seconds greater than 0, as 30` {
		t.Errorf("bad PIP_TIMEOUT: %v", err)
	}
}
