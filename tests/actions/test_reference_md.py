from pystatic.reference import reference_md

TEXTPROTO = r'''
rule_info {
  rule_name: "py_static_binary"
  doc_string: "One static executable.\n\nMore."
  attribute { name: "name" type: NAME mandatory: true }
  attribute {
    name: "stdlib"
    doc_string: "all | imported: " "which modules"
    type: STRING
    default_value: "\"all\""
  }
  origin_key { name: "_py_static_binary" file: "//rules/private:binary.bzl" }
}
func_info {
  function_name: "py_static_interpreter"
  doc_string: "A static python3 \342\200\224 the whole stdlib."
  parameter { name: "name" doc_string: "target name." mandatory: true }
  parameter { name: "kwargs" }
}
provider_info { provider_name: "PyStaticResourcesInfo" field_info { name: "manifest" doc_string: "File." } }
module_docstring: "Public API."
'''


def test_parse_nested_messages_escapes_and_concatenation():
    module = reference_md.parse(TEXTPROTO)
    rule = module["rule_info"][0]
    assert rule["doc_string"] == ["One static executable.\n\nMore."]
    assert [a["name"][0] for a in rule["attribute"]] == ["name", "stdlib"]
    assert rule["attribute"][0]["mandatory"] == [True] and rule["attribute"][0]["type"] == ["NAME"]
    assert rule["attribute"][1]["doc_string"] == ["all | imported: which modules"]
    assert rule["attribute"][1]["default_value"] == ['"all"']
    assert module["func_info"][0]["doc_string"] == ["A static python3 \u2014 the whole stdlib."]


def test_render_tables_of_rules_macros_and_providers():
    md = reference_md.render(reference_md.parse(TEXTPROTO), "rules/defs.bzl")
    assert md.startswith("# Rule reference\n") and "tools/bazel run //docs/reference:update" in md
    assert "## py_static_binary\n\nOne static executable.\n\nMore.\n" in md
    assert "| `name` | name | required | |" in md.replace("|  |", "| |")
    assert '| `stdlib` | string | `"all"` | all \\| imported: which modules |' in md
    assert "## py_static_interpreter (macro)" in md and "| `kwargs` |  |  |" in md
    assert "## PyStaticResourcesInfo (provider)" in md and "| `manifest` | File. |" in md


def test_check_fails_with_the_regenerate_command(tmp_path, capsys):
    (tmp_path / "gen.md").write_text("# new\n")
    (tmp_path / "rules.md").write_text("# old\n")
    assert reference_md.main(["--check", str(tmp_path / "gen.md"), str(tmp_path / "rules.md")]) == 1
    err = capsys.readouterr().err
    assert "rules.md is not the reference" in err and "tools/bazel run //docs/reference:update" in err and "+# new" in err
    (tmp_path / "rules.md").write_text("# new\n")
    assert reference_md.main(["--check", str(tmp_path / "gen.md"), str(tmp_path / "rules.md")]) == 0
