"""An app that reads its data as files next to its modules, the way many packages do."""
