"""A binary's SBOM documents from its components (sbom_components.py): SPDX 2.3 and CycloneDX 1.6 JSON.

The output depends only on the inputs: the creation time is fixed (CREATED), identifiers derive
from the executable's sha256.
"""

import uuid

from pystatic.binary.sbom_components import Component, zig_component


# Fixed: byte-reproducible output (the same instant the CPython build stamps as its build date).
CREATED = "2000-01-01T00:00:00Z"
TOOL = "rules_pystatic"
NAMESPACE = uuid.UUID("6f1c8d2e-4b1a-5e3c-9d7f-2a6b0c4e8f10")  # uuid5 namespace of our documents


def _spdx_package(c):
    package = {
        "SPDXID": "SPDXRef-" + c.ref,
        "name": c.name,
        "downloadLocation": c.download or "NOASSERTION",
        "filesAnalyzed": False,
        "licenseConcluded": c.license if c.license_concluded else "NOASSERTION",
        "licenseDeclared": "NOASSERTION" if c.license_concluded else c.license or "NOASSERTION",
        "copyrightText": "NOASSERTION",
        "primaryPackagePurpose": c.purpose,
    }
    if c.version:
        package["versionInfo"] = c.version
    if c.file_name:
        package["packageFileName"] = c.file_name
    if c.supplier:
        package["supplier"] = c.supplier
    if c.sha256:
        package["checksums"] = [{"algorithm": "SHA256", "checksumValue": c.sha256}]
    refs = []
    if c.purl:
        refs.append({"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": c.purl})
    if c.cpe:
        refs.append({"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": c.cpe})
    if refs:
        package["externalRefs"] = refs
    comment = c.description
    if (c.license is None or c.license_concluded) and c.license_raw:
        comment += f" Licence as declared (not an SPDX expression): {c.license_raw}"
    if c.license_concluded:
        comment += f" Licence {c.license} concluded from the distribution's licence text."
    if comment:
        package["comment"] = comment.strip()
    return package


def spdx_document(target, name, sha256, descriptor, components, zig_version):
    binary = Component(
        ref="binary", name=name, version="", kind="application", purpose="APPLICATION", sha256=sha256,
        file_name=name, description=f"{target}: a fully static {descriptor.target_triple} executable built by rules_pystatic",
    )
    zig = zig_component(zig_version)
    packages = [_spdx_package(c) for c in [binary] + components + [zig]]
    relationships = [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-binary"}]
    for c in components:
        relationships.append({"spdxElementId": "SPDXRef-" + c.parent, "relationshipType": "CONTAINS", "relatedSpdxElement": "SPDXRef-" + c.ref})
        for dep in c.depends_on:
            relationships.append({"spdxElementId": "SPDXRef-" + c.ref, "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-" + dep})
    relationships.append({"spdxElementId": "SPDXRef-zig", "relationshipType": "BUILD_TOOL_OF", "relatedSpdxElement": "SPDXRef-binary"})
    document_id = uuid.uuid5(NAMESPACE, f"{target}\n{sha256}")
    return {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": f"{name} ({target})",
        "documentNamespace": f"urn:uuid:{document_id}",
        "creationInfo": {
            "created": CREATED,
            "creators": [f"Tool: {TOOL}"],
            "comment": "Fixed creation time: the document is byte-reproducible from the build's inputs.",
        },
        "documentDescribes": ["SPDXRef-binary"],
        "packages": packages,
        "relationships": relationships,
    }


def _cdx_component(c, children=()):
    component = {"type": c.kind, "bom-ref": c.ref, "name": c.name}
    if c.version:
        component["version"] = c.version
    if c.description:
        component["description"] = c.description
    if c.license:
        component["licenses"] = [{"expression": c.license}]
        if c.license_concluded:
            component["licenses"][0]["acknowledgement"] = "concluded"
    elif c.license_raw:
        component["licenses"] = [{"license": {"name": c.license_raw}}]
    if c.sha256:
        component["hashes"] = [{"alg": "SHA-256", "content": c.sha256}]
    if c.purl:
        component["purl"] = c.purl
    if c.cpe:
        component["cpe"] = c.cpe
    if c.download:
        component["externalReferences"] = [{"type": "distribution", "url": c.download}]
    if c.supplier:
        component["supplier"] = {"name": c.supplier.partition(": ")[2]}
    if children:
        component["components"] = list(children)
    return component


def cyclonedx_document(target, name, sha256, descriptor, components, zig_version):
    children = {}
    for c in components:
        if c.parent != "binary":
            children.setdefault(c.parent, []).append(_cdx_component(c))
    top = [_cdx_component(c, children.get(c.ref, ())) for c in components if c.parent == "binary"]
    dependencies = [{"ref": "binary", "dependsOn": [c.ref for c in components if c.parent == "binary"]}]
    dependencies += [{"ref": c.ref, "dependsOn": sorted(set(c.depends_on) | {k.ref for k in components if k.parent == c.ref})}
                     for c in components]
    serial = uuid.uuid5(NAMESPACE, f"{target}\n{sha256}")
    return {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": f"urn:uuid:{serial}",
        "version": 1,
        "metadata": {
            "timestamp": CREATED,
            "tools": {"components": [_cdx_component(zig_component(zig_version)), {"type": "application", "name": TOOL}]},
            "component": {
                "type": "application", "bom-ref": "binary", "name": name,
                "description": f"{target}: a fully static {descriptor.target_triple} executable built by rules_pystatic",
                "hashes": [{"alg": "SHA-256", "content": sha256}],
            },
        },
        "components": top,
        "dependencies": dependencies,
    }
