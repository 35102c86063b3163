package integration

// uvLocks is what uv's own lock holds for each lock-mode packse scenario:
// every locked name==version (names without the scenario prefix) and,
// after " ; ", the environments that install it (the markers along the
// paths from the project to it, or-ed; none: everywhere in the scope).
// nil: uv finds no solution. Derived from the lock snapshots of
// astral-sh/uv crates/uv/tests/lock_scenarios/lock_scenarios.rs
// (commit 26a9dd4b21), which test the same packse scenarios.
var uvLocks = map[string][]string{
	"conflict-in-fork": nil,
	"fork-allows-non-conflicting-non-overlapping-dependencies": {
		"a==1.0.0 ; (sys_platform == 'darwin' or sys_platform == 'linux')",
	},
	"fork-allows-non-conflicting-repeated-dependencies": {
		"a==1.0.0",
	},
	"fork-basic": {
		"a==1.0.0 ; (sys_platform == 'darwin')",
		"a==2.0.0 ; (sys_platform == 'linux')",
	},
	"fork-conflict-unsatisfiable": nil,
	"fork-filter-sibling-dependencies": {
		"a==4.3.0 ; (sys_platform == 'darwin')",
		"a==4.4.0 ; (sys_platform == 'linux')",
		"b==1.0.0 ; (sys_platform == 'linux')",
		"c==1.0.0 ; (sys_platform == 'darwin')",
		"d==1.0.0 ; (sys_platform == 'linux')",
		"d==2.0.0 ; (sys_platform == 'darwin')",
	},
	"fork-incomplete-markers": {
		"a==1.0.0 ; (python_full_version < '3.13')",
		"a==2.0.0 ; (python_full_version >= '3.14')",
		"b==1.0.0",
		"c==1.0.0 ; (python_full_version == '3.13.*')",
	},
	"fork-marker-accrue": {
		"a==1.0.0 ; (implementation_name == 'cpython')",
		"b==1.0.0 ; (implementation_name == 'pypy')",
		"c==1.0.0 ; (implementation_name == 'cpython') and (sys_platform == 'linux') or (implementation_name == 'pypy') and (sys_platform == 'darwin')",
	},
	"fork-marker-disjoint": nil,
	"fork-marker-inherit": {
		"a==1.0.0 ; (sys_platform == 'darwin')",
		"a==2.0.0 ; (sys_platform == 'linux')",
	},
	"fork-marker-inherit-combined": {
		"a==1.0.0 ; (sys_platform == 'darwin')",
		"a==2.0.0 ; (sys_platform == 'linux')",
		"b==1.0.0 ; (sys_platform == 'darwin') and (implementation_name == 'pypy')",
		"b==2.0.0 ; (sys_platform == 'darwin') and (implementation_name == 'cpython')",
	},
	"fork-marker-inherit-combined-allowed": {
		"a==1.0.0 ; (sys_platform == 'darwin')",
		"a==2.0.0 ; (sys_platform == 'linux')",
		"b==1.0.0 ; (sys_platform == 'darwin') and (implementation_name == 'pypy')",
		"b==2.0.0 ; (sys_platform == 'darwin') and (implementation_name == 'cpython')",
		"c==1.0.0 ; (sys_platform == 'darwin') and (implementation_name == 'pypy')",
	},
	"fork-marker-inherit-combined-disallowed": {
		"a==1.0.0 ; (sys_platform == 'darwin')",
		"a==2.0.0 ; (sys_platform == 'linux')",
		"b==1.0.0 ; (sys_platform == 'darwin') and (implementation_name == 'pypy')",
		"b==2.0.0 ; (sys_platform == 'darwin') and (implementation_name == 'cpython')",
	},
	"fork-marker-inherit-isolated": {
		"a==1.0.0 ; (sys_platform == 'darwin')",
		"a==2.0.0 ; (sys_platform == 'linux')",
		"b==1.0.0 ; (sys_platform == 'linux')",
	},
	"fork-marker-inherit-transitive": {
		"a==1.0.0 ; (sys_platform == 'darwin')",
		"a==2.0.0 ; (sys_platform == 'linux')",
		"b==1.0.0 ; (sys_platform == 'darwin')",
		"c==1.0.0 ; (sys_platform == 'darwin')",
	},
	"fork-marker-limited-inherit": {
		"a==1.0.0 ; (sys_platform == 'darwin')",
		"a==2.0.0 ; (sys_platform == 'linux')",
		"b==1.0.0",
		"c==1.0.0 ; (sys_platform == 'linux')",
	},
	"fork-marker-selection": {
		"a==0.1.0",
		"b==1.0.0 ; (sys_platform == 'darwin')",
		"b==2.0.0 ; (sys_platform == 'linux')",
	},
	"fork-marker-track": {
		"a==1.3.1",
		"b==2.7 ; (sys_platform == 'darwin')",
		"b==2.8 ; (sys_platform == 'linux')",
		"c==1.10 ; (implementation_name == 'iron')",
	},
	"fork-non-fork-marker-transitive": {
		"a==1.0.0",
		"b==1.0.0",
		"c==2.0.0 ; (sys_platform == 'darwin') or (sys_platform == 'linux')",
	},
	"fork-non-local-fork-marker-direct":     nil,
	"fork-non-local-fork-marker-transitive": nil,
	"fork-overlapping-markers-basic": {
		"a==1.2.0",
	},
	"fork-remaining-universe-partitioning": {
		"a==1.0.0 ; (sys_platform == 'illumos')",
		"a==2.0.0 ; (sys_platform == 'windows')",
		"b==1.0.0 ; (sys_platform == 'illumos') and (os_name == 'darwin')",
		"b==2.0.0 ; (sys_platform == 'illumos') and (os_name == 'linux')",
	},
	"fork-requires-python":                 {},
	"fork-requires-python-full":            {},
	"fork-requires-python-full-prerelease": {},
	"fork-requires-python-patch-overlap": {
		"a==1.0.0 ; (python_full_version < '3.11')",
	},
	"fork-upgrade": {
		"bar==2.0.0",
		"foo==2.0.0",
	},
	"marker-variants-have-different-extras": {
		"psycopg==1.0.0",
		"psycopg-binary==1.0.0 ; (platform_python_implementation != 'PyPy') and (implementation_name != 'pypy')",
		"tzdata==1.0.0 ; (platform_python_implementation != 'PyPy') and (sys_platform == 'win32') or (sys_platform == 'win32')",
	},
	"preferences-dependent-forking": {
		"bar==1.0.0 ; (sys_platform != 'linux')",
		"bar==2.0.0 ; (sys_platform == 'linux')",
		"cleaver==1.0.0",
		"foo==1.0.0",
	},
	"preferences-dependent-forking-bistable": {
		"cleaver==1.0.0",
		"fork-if-not-forked==2.0.0 ; (sys_platform != 'linux')",
		"fork-if-not-forked==3.0.0 ; (sys_platform == 'linux')",
		"fork-if-not-forked-proxy==1.0.0 ; (sys_platform != 'linux')",
		"reject-cleaver1==1.0.0 ; (sys_platform == 'linux')",
		"reject-cleaver1==2.0.0 ; (sys_platform != 'linux')",
		"reject-cleaver1-proxy==1.0.0",
	},
	"preferences-dependent-forking-conflicting": nil,
	"preferences-dependent-forking-tristable": {
		"bar==1.0.0 ; (sys_platform != 'linux')",
		"bar==2.0.0 ; (sys_platform == 'linux')",
		"c==2.0.0 ; (sys_platform == 'linux') or (sys_platform == 'linux') and (sys_platform == 'linux')",
		"c==3.0.0 ; (sys_platform != 'linux') or (sys_platform == 'linux') and (sys_platform != 'linux')",
		"cleaver==1.0.0",
		"d==1.0.0 ; (sys_platform != 'linux')",
		"foo==1.0.0",
		"reject-cleaver-1==1.0.0",
		"unrelated-dep2==1.0.0 ; (sys_platform != 'linux') and (sys_platform == 'linux') or (sys_platform == 'linux') or (sys_platform == 'linux') and (sys_platform == 'linux')",
		"unrelated-dep2==2.0.0 ; (sys_platform != 'linux') or (sys_platform != 'linux') and (sys_platform != 'linux') or (sys_platform == 'linux') and (sys_platform != 'linux')",
	},
	"requires-python-subset": {
		"win-only==1.0.0 ; (sys_platform == 'win32')",
	},
	"requires-python-wheels": {
		"a==1.0.0",
	},
	"specific-architecture": {
		"a==1.0.0",
		"b==1.0.0 ; (platform_machine == 'x86_64')",
		"c==1.0.0 ; (platform_machine == 'aarch64')",
		"d==1.0.0 ; (platform_machine == 'i686')",
	},
	"unreachable-package": {
		"a==1.0.0 ; (sys_platform == 'win32')",
	},
	"unreachable-wheels": {
		"a==1.0.0 ; (sys_platform == 'win32')",
		"b==1.0.0 ; (sys_platform == 'linux')",
		"c==1.0.0 ; (sys_platform == 'darwin')",
	},
	"virtual-package-extra-priorities": {
		"a==1.0.0",
		"b==1.0.0",
	},
	"wrong-backtracking-basic": {
		"a==1.0.0",
		"b==2.0.9",
	},
	"wrong-backtracking-indirect": {
		"a==2.0.0",
		"b==1.0.0",
		"b-inner==1.0.0",
		"too-old==1.0.0",
	},
}
