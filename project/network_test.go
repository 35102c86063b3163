package project

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNetworkSettingsPrecedence(t *testing.T) {
	three, zero := 3, 0
	tests := []struct {
		name string
		flag Network
		env  map[string]string
		want networkSettings
		err  string
	}{
		{"defaults", Network{}, nil, networkSettings{}, ""},
		{"pip's variables", Network{}, map[string]string{"PIP_TIMEOUT": "7.5", "PIP_RETRIES": "2"},
			networkSettings{timeout: 7500 * time.Millisecond, retries: 2}, ""},
		{"safepip's over pip's", Network{}, map[string]string{"PIP_TIMEOUT": "7", "SAFEPIP_HTTP_TIMEOUT": "9", "PIP_RETRIES": "2", "SAFEPIP_HTTP_RETRIES": "4"},
			networkSettings{timeout: 9 * time.Second, retries: 4}, ""},
		{"flags over both", Network{Timeout: 2 * time.Second, Retries: &three}, map[string]string{"PIP_TIMEOUT": "7", "SAFEPIP_HTTP_TIMEOUT": "9", "PIP_RETRIES": "2", "SAFEPIP_HTTP_RETRIES": "4"},
			networkSettings{timeout: 2 * time.Second, retries: 3}, ""},
		{"no retries", Network{Retries: &zero}, map[string]string{"PIP_RETRIES": "5"}, networkSettings{retries: -1}, ""},
		{"no retries from the environment", Network{}, map[string]string{"SAFEPIP_HTTP_RETRIES": "0"}, networkSettings{retries: -1}, ""},
		{"blank is unset", Network{}, map[string]string{"SAFEPIP_HTTP_TIMEOUT": " ", "PIP_TIMEOUT": "4"}, networkSettings{timeout: 4 * time.Second}, ""},
		{"low-speed limit", Network{}, map[string]string{"SAFEPIP_HTTP_LOW_SPEED_LIMIT": "4096"}, networkSettings{lowSpeed: 4096}, ""},
		{"low-speed limit off", Network{}, map[string]string{"SAFEPIP_HTTP_LOW_SPEED_LIMIT": "0"}, networkSettings{lowSpeed: -1}, ""},
		{"pip's other name", Network{}, map[string]string{"PIP_DEFAULT_TIMEOUT": "180"}, networkSettings{timeout: 180 * time.Second}, ""},
		{"pip.conf", Network{}, map[string]string{"PIP_CONFIG_FILE": "pip.conf"}, networkSettings{timeout: 42 * time.Second, retries: 7}, ""},
		{"PIP_* over pip.conf", Network{}, map[string]string{"PIP_CONFIG_FILE": "pip.conf", "PIP_TIMEOUT": "5"}, networkSettings{timeout: 5 * time.Second, retries: 7}, ""},
		{"bad timeout", Network{}, map[string]string{"PIP_TIMEOUT": "soon"}, networkSettings{}, `PIP_TIMEOUT: timeout "soon": want a number of seconds greater than 0`},
		{"bad timeout in pip.conf", Network{}, map[string]string{"PIP_CONFIG_FILE": "bad.conf"}, networkSettings{}, `bad.conf`},
		{"zero timeout", Network{}, map[string]string{"SAFEPIP_HTTP_TIMEOUT": "0"}, networkSettings{}, `SAFEPIP_HTTP_TIMEOUT: timeout "0": want a number of seconds`},
		{"NaN timeout", Network{}, map[string]string{"SAFEPIP_HTTP_TIMEOUT": "NaN"}, networkSettings{}, `SAFEPIP_HTTP_TIMEOUT: timeout "NaN"`},
		{"bad retries", Network{}, map[string]string{"SAFEPIP_HTTP_RETRIES": "-1"}, networkSettings{}, `SAFEPIP_HTTP_RETRIES: retries "-1": want a count`},
		{"bad low-speed limit", Network{}, map[string]string{"SAFEPIP_HTTP_LOW_SPEED_LIMIT": "1k"}, networkSettings{}, `SAFEPIP_HTTP_LOW_SPEED_LIMIT: "1k": want bytes per second`},
		{"a flag hides a bad variable", Network{Timeout: time.Second}, map[string]string{"PIP_TIMEOUT": "soon"}, networkSettings{timeout: time.Second}, ""},
	}
	dir := t.TempDir()
	for name, text := range map[string]string{"pip.conf": "[global]\ntimeout = 60\nretries = 7\n[install]\ntimeout = 42\n", "bad.conf": "[global]\ntimeout = soon\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) (string, bool) {
				v, ok := tt.env[k]
				if k == "PIP_CONFIG_FILE" {
					if !ok {
						return os.DevNull, true // not the machine's pip.conf
					}
					return filepath.Join(dir, v), true
				}
				return v, ok
			}
			env := &Env{Network: tt.flag, Getenv: getenv}
			got, err := env.network()
			switch {
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Fatalf("network() error = %v, want one containing %q", err, tt.err)
			case tt.err == "" && err != nil:
				t.Fatalf("network() error = %v", err)
			case tt.err == "" && got != tt.want:
				t.Errorf("network() = %+v, want %+v", got, tt.want)
			}
		})
	}
}
