"""Documentation actions: the rule reference rendered from starlark_doc_extract."""
