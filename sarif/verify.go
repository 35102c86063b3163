package sarif

import (
	"github.com/safepip/safepip/project"
	"github.com/safepip/safepip/pypa/pep508"
)

// verifyRule returns the rule of a verify finding kind; every finding
// fails the command, so every rule is an error.
func verifyRule(kind, name, short, full, help, severity string) Rule {
	return newRule("verify/"+kind, name, "error", severity, "supply-chain", short, full, help)
}

// verifyRules are the finding kinds of `safepip verify`, one rule each.
var verifyRules = []Rule{
	verifyRule(project.FindingHashMismatch, "LockedFileHashMismatch",
		"A locked file's bytes are not the ones the lock records",
		"The sha256 of a distribution file differs from its lock entry: the index or the cache serves other bytes under the same name.",
		"Do not deploy. Find out why the bytes changed (a re-upload, a compromised index or cache); delete the cache entry and run `safepip verify` online, and relock only once the new bytes are understood.", "9.5"),
	verifyRule(project.FindingAttestationInvalid, "AttestationInvalid",
		"A locked file's attestation does not verify, or names another identity",
		"The PEP 740 provenance of a locked file fails Sigstore verification against the trusted root, or its certificate names another publisher than the lock.",
		"Do not deploy. Check the trusted root (`safepip trust`) and the publisher; relock only when the new publisher is expected.", "9.0"),
	verifyRule(project.FindingPublisherPin, "PublisherPinViolated",
		"A locked publisher is not the one [policy.publishers] pins",
		"The lock records a publisher for this project that differs from the pin in safepip.toml.",
		"Fix the pin in safepip.toml, or relock with `safepip lock --allow-publisher-change NAME` when the publisher change is expected.", "8.5"),
	verifyRule(project.FindingProvenanceChanged, "ProvenanceChanged",
		"A locked file's provenance bytes are not the ones the lock records",
		"The attestation served for a locked file differs from the one recorded at lock time.",
		"Verify online and compare the new attestation's publisher with the lock's; relock if the change is expected.", "7.5"),
	verifyRule(project.FindingAttestationMissing, "AttestationMissing",
		"The policy requires an attestation the lock lacks",
		"[policy] attestations = \"require\" or require-attestations names this project, and its locked file has no attestation.",
		"Relock once the project publishes attestations, or change the policy in safepip.toml.", "7.0"),
	verifyRule(project.FindingFileMissing, "LockedFileMissing",
		"A locked file is not in the cache",
		"Offline verification needs every locked file in the cache; this one is not there.",
		"Run `safepip install --frozen` or `safepip verify` online first to fill the cache.", "4.0"),
	verifyRule(project.FindingProvenanceMissing, "ProvenanceMissing",
		"A recorded provenance is not in the cache or no longer served",
		"The lock records an attestation for this file, and its provenance could not be read.",
		"Run `safepip verify` online; if the index no longer serves it, find out why before relocking.", "6.0"),
	verifyRule(project.FindingModifiedOnDisk, "InstalledFileModified",
		"An installed file differs from its wheel's RECORD",
		"A file in site-packages was edited or replaced after installation.",
		"Reinstall with `safepip install --frozen --force-reinstall`, and find out what changed it.", "8.0"),
	verifyRule(project.FindingVersionChanged, "InstalledVersionDiffers",
		"A package is installed at another version than locked",
		"The environment holds another version than the lock for this package.",
		"Run `safepip install --frozen` to install the locked versions.", "5.0"),
	verifyRule(project.FindingNotInstalled, "LockedPackageNotInstalled",
		"A package locked for this environment is not installed",
		"The lock selects this package for the interpreter's environment, and it is not installed.",
		"Run `safepip install --frozen`.", "3.0"),
	verifyRule(project.FindingExtra, "UnlockedPackageInstalled",
		"A package is installed and not in the lock",
		"The environment holds a distribution the lock does not name: something installed it outside safepip.",
		"Remove it, or add it to the requirements and relock; `safepip install --frozen --exact` removes what the lock does not hold.", "5.0"),
	verifyRule(project.FindingSourceMismatch, "InstalledFromElsewhere",
		"A package is installed from another origin than the lock says",
		"The package's direct_url.json (PEP 610) names another directory, commit or file than its lock entry: it was installed by something other than safepip from the locked source.",
		"Run `safepip install --frozen --force-reinstall` to install it from the locked source, and find out what installed it from elsewhere.", "7.0"),
	verifyRule("other", "VerificationFailed",
		"Verification found a problem of a kind this SARIF writer has no rule for",
		"safepip verify reported a finding; its message says what and where.",
		"Read the message; run `safepip verify` for the full report.", "5.0"),
}

// Verify returns the SARIF log of a verify result; each finding is
// located at its package's [[package]] line in the lock (an installed
// package the lock lacks, at the lock as a whole). version is safepip's.
func Verify(res *project.VerifyResult, version string, files Files) *Log {
	if files.Lock == "" {
		files.Lock = res.LockPath
	}
	l := newLocator(files)
	log := newLog(version, verifyRules, l)
	run := &log.Runs[0]
	for _, f := range res.Findings {
		name := pep508.NormalizeName(f.Package)
		at, ok := l.lockPkgs[name+"=="+f.Version]
		if !ok {
			at, ok = l.lockPkgs[name]
		}
		if !ok {
			at = fileLine{files.Lock, 0}
		}
		id := "verify/" + f.Kind
		if ruleOf(run, id) < 0 {
			id = "verify/other" // a kind without its rule yet is still reported
		}
		text := f.String() + "\nRemedy: " + run.Tool.Driver.Rules[ruleOf(run, id)].Help.Text
		run.add(id, "", text, f.Kind+":"+f.Package+"@"+f.Version+":"+f.File, []Location{l.location(at.path, at.line)})
	}
	return log
}

// ruleOf returns the index of the rule with id in run, -1 when none.
func ruleOf(run *Run, id string) int {
	for i, r := range run.Tool.Driver.Rules {
		if r.ID == id {
			return i
		}
	}
	return -1
}
