"""Analysis tests of py_static_binary: its actions, and errors for bad attributes."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "py_static_binary")

_MUSL = {"//command_line_option:platforms": str(Label("//platforms:linux_musl"))}

def _actions_test_impl(ctx):
    env = analysistest.begin(ctx)
    mnemonics = [a.mnemonic for a in analysistest.target_actions(env)]
    for mnemonic in ["PyStaticManifest", "PyStaticBytecode", "PyStaticBlob", "PyStaticGlue", "CppCompile", "CppLink", "PyStaticVerifyElf"]:
        asserts.true(env, mnemonic in mnemonics, "{} in {}".format(mnemonic, mnemonics))
    asserts.false(env, "PyStaticStdlib" in mnemonics, "the stdlib is compiled by the runtime toolchain, once")
    asserts.false(env, "PyStaticBolt" in mnemonics, "bolt = auto: BOLT in -c opt builds only")
    glue = [a for a in analysistest.target_actions(env) if a.mnemonic == "CppCompile" and a.outputs.to_list()[0].basename.startswith("subject.glue")]
    asserts.equals(env, 1, len(glue))
    asserts.true(env, "subject.blob" in [f.basename for f in glue[0].inputs.to_list()], ".incbin's blob is an input of the glue's compile")
    bytecode = [a for a in analysistest.target_actions(env) if a.mnemonic == "PyStaticBytecode"][0]
    asserts.true(env, bytecode.argv[0].endswith("/bin/python3.13"), "bytecode by the distribution's own 3.13: " + bytecode.argv[0])
    asserts.equals(env, "0", bytecode.env["PYTHONHASHSEED"])
    return analysistest.end(env)

actions_test = analysistest.make(_actions_test_impl, config_settings = _MUSL)

def _failure_test(message):
    def impl(ctx):
        env = analysistest.begin(ctx)
        asserts.expect_failure(env, message)
        return analysistest.end(env)

    return analysistest.make(impl, expect_failure = True, config_settings = _MUSL)

no_entry_test = _failure_test("no entry point. Fix: set main")
both_entries_test = _failure_test("set only one of main, entry_point and console_script")
bad_entry_syntax_test = _failure_test("is not 'package.module' or 'package.module:function'")
main_not_in_srcs_test = _failure_test("is not in srcs. Fix: add it to srcs")
interpreter_with_entry_test = _failure_test("an interpreter runs its command line (-c, -m, a script), not an entry point")

def _interpreter_actions_test_impl(ctx):
    env = analysistest.begin(ctx)
    mnemonics = [a.mnemonic for a in analysistest.target_actions(env)]
    for mnemonic in ["PyStaticBlob", "PyStaticGlue", "CppLink", "PyStaticVerifyElf"]:
        asserts.true(env, mnemonic in mnemonics, "{} in {}".format(mnemonic, mnemonics))
    return analysistest.end(env)

interpreter_actions_test = analysistest.make(_interpreter_actions_test_impl, config_settings = _MUSL)

_MUSL_OPT = dict(_MUSL, **{"//command_line_option:compilation_mode": "opt"})

def _bolt_test(expected):
    """The link of a -c opt build: PyStaticBolt (with the profile of the runtime) or CppLink."""

    def impl(ctx):
        env = analysistest.begin(ctx)
        actions = analysistest.target_actions(env)
        mnemonics = [a.mnemonic for a in actions]
        other = "CppLink" if expected == "PyStaticBolt" else "PyStaticBolt"
        asserts.true(env, expected in mnemonics and other not in mnemonics, "{}, not {}: {}".format(expected, other, mnemonics))
        if expected == "PyStaticBolt":
            bolt = [a for a in actions if a.mnemonic == "PyStaticBolt"][0]
            inputs = [f.basename for f in bolt.inputs.to_list()]
            asserts.true(env, [n for n in inputs if n.endswith("-x86_64.fdata.xz")], "the runtime's BOLT profile is an input")
            asserts.true(env, "llvm-bolt" in inputs and "subject.glue.o" in inputs, "llvm-bolt and the objects: {}".format(inputs))
        return analysistest.end(env)

    return analysistest.make(impl, config_settings = _MUSL_OPT)

bolt_in_opt_test = _bolt_test("PyStaticBolt")
bolt_off_test = _bolt_test("CppLink")
bolt_without_profile_test = _failure_test("has no BOLT profile")
bolt_unavailable_test = _failure_test("LLVM's BOLT is not available here")
bolt_unavailable_auto_test = _bolt_test("CppLink")

def binary_analysis_test_suite(name):
    """Declares the analysis tests (manual: the runtime toolchain needs seeded sources; see tools/test).

    Args:
      name: test_suite name.
    """
    subjects = {
        "subject": dict(srcs = ["app.py"], entry_point = "tests.binary.app:main"),
        "no_entry": dict(srcs = ["app.py"]),
        "both_entries": dict(srcs = ["app.py"], main = "app.py", entry_point = "app:main"),
        "bad_entry_syntax": dict(srcs = ["app.py"], entry_point = "app:main:extra"),
        "main_not_in_srcs": dict(srcs = ["other.py"], main = "app.py"),
        "interpreter_subject": dict(interpreter = True, use_environment = True),
        "interpreter_with_entry": dict(srcs = ["app.py"], interpreter = True, entry_point = "tests.binary.app:main"),
        "bolt_off": dict(srcs = ["app.py"], entry_point = "tests.binary.app:main", bolt = "off"),
        # The free-threaded build has no BOLT profile (its code differs from the profiled core's).
        "bolt_without_profile": dict(srcs = ["app.py"], entry_point = "tests.binary.app:main", bolt = "on", python_version = "3.13t"),
        # llvm-bolt's packages could not be fetched: the repository's filegroup is empty.
        "bolt_unavailable": dict(srcs = ["app.py"], entry_point = "tests.binary.app:main", bolt = "on", llvm_bolt = ":no_llvm_bolt"),
        "bolt_unavailable_auto": dict(srcs = ["app.py"], entry_point = "tests.binary.app:main", llvm_bolt = ":no_llvm_bolt"),
    }
    native.filegroup(name = "no_llvm_bolt", srcs = [], tags = ["manual"])
    for subject, attrs in subjects.items():
        py_static_binary(name = subject, tags = ["manual"], **attrs)
    tests = {
        "actions_test": (actions_test, "subject"),
        "bad_entry_syntax_test": (bad_entry_syntax_test, "bad_entry_syntax"),
        "bolt_in_opt_test": (bolt_in_opt_test, "subject"),
        "bolt_off_test": (bolt_off_test, "bolt_off"),
        "bolt_unavailable_auto_test": (bolt_unavailable_auto_test, "bolt_unavailable_auto"),
        "bolt_unavailable_test": (bolt_unavailable_test, "bolt_unavailable"),
        "bolt_without_profile_test": (bolt_without_profile_test, "bolt_without_profile"),
        "both_entries_test": (both_entries_test, "both_entries"),
        "interpreter_actions_test": (interpreter_actions_test, "interpreter_subject"),
        "interpreter_with_entry_test": (interpreter_with_entry_test, "interpreter_with_entry"),
        "main_not_in_srcs_test": (main_not_in_srcs_test, "main_not_in_srcs"),
        "no_entry_test": (no_entry_test, "no_entry"),
    }
    for test_name, (rule, subject) in tests.items():
        rule(name = test_name, size = "small", tags = ["manual"], target_under_test = ":" + subject)
    native.test_suite(name = name, tests = [":" + t for t in tests], tags = ["manual"])
