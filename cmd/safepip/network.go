package main

import (
	"errors"
	"math"
	"time"

	"github.com/safepip/safepip/project"
)

// network are the global flags about talking to indexes, named and meant
// as pip's. Unset, they leave the choice to SAFEPIP_HTTP_TIMEOUT,
// SAFEPIP_HTTP_RETRIES, then pip's configuration (project.Env.newClient).
type network struct {
	Timeout *float64 `placeholder:"SECONDS" help:"Give up on an index that does not connect, or send response headers, within SECONDS, or whose body averages less than the low-speed limit ($$SAFEPIP_HTTP_LOW_SPEED_LIMIT bytes/s, default 1024) over SECONDS. Else $$SAFEPIP_HTTP_TIMEOUT, else pip's timeout ($$PIP_TIMEOUT, $$PIP_DEFAULT_TIMEOUT, pip.conf), else 15."`
	Retries *int     `placeholder:"N" help:"Retry a failed request N times, within a budget of 4 timeouts. Else $$SAFEPIP_HTTP_RETRIES, else pip's retries ($$PIP_RETRIES, pip.conf), else 3."`
}

// Validate refuses values pip would refuse too.
func (n *network) Validate() error {
	switch {
	case n.Timeout != nil && !(*n.Timeout > 0 && *n.Timeout <= float64(math.MaxInt64/int64(time.Second))):
		return errors.New("--timeout: want a number of seconds greater than 0")
	case n.Retries != nil && *n.Retries < 0:
		return errors.New("--retries: want a count, 0 or more")
	}
	return nil
}

func (n network) settings() project.Network {
	s := project.Network{Retries: n.Retries}
	if n.Timeout != nil {
		s.Timeout = time.Duration(*n.Timeout * float64(time.Second))
	}
	return s
}
