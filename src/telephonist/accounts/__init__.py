"""Company, extensions, users, devices, numbers and the company directory (EXT, DEV)."""
