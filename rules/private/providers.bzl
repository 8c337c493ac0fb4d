"""Providers shared by rules_pystatic's rules."""

PyStaticResourcesInfo = provider(
    doc = "First-party Python resources of a target, named for import.",
    fields = {
        "manifest": "File: JSON manifest (tools/pystatic/resource_manifest.py) mapping names to files.",
        "files": "depset of File: every file the manifest refers to.",
    },
)
