package project

import (
	"context"
	"errors"

	"github.com/safepip/safepip/install"
	"github.com/safepip/safepip/verify"
)

// checkExact refuses --exact where the environment it would clean is not
// the one pip installs into.
func checkExact(o *InstallOptions) error {
	if !o.Exact {
		return nil
	}
	p := o.Pip
	if p.Target != "" || p.Prefix != "" || p.Root != "" || p.User {
		return &InputError{Err: errors.New("--exact cleans the interpreter's environment, and --target, --prefix, --root and --user install elsewhere; drop one or the other")}
	}
	if o.PythonVersion != "" || o.Platform != "" {
		return &InputError{Err: errors.New("--exact needs an interpreter's environment to clean, not --python-version and --platform")}
	}
	return nil
}

// exactEnv is install --exact, run once the install has succeeded:
// `pip uninstall -y` every distribution the lock does not select for the
// environment (extraDists decides, as for verify --installed). With
// DryRun it only lists them in res.Removed.
func exactEnv(ctx context.Context, env *Env, o InstallOptions, interp *install.Interpreter, choices []install.Choice, res *InstallResult) error {
	if !o.Exact || interp == nil {
		return nil
	}
	dists, err := verify.Installed(interp.Purelib, interp.Platlib)
	if err != nil {
		return err
	}
	res.Removed = extraDists(dists, choices)
	if o.DryRun || len(res.Removed) == 0 {
		return nil
	}
	names := make([]string, len(res.Removed))
	for i, d := range res.Removed {
		names[i] = d.Name
	}
	env.logf("uninstalling %d distributions the lock does not hold", len(names))
	return install.RunPipUninstall(ctx, interp.Executable, names, env.Progress)
}
