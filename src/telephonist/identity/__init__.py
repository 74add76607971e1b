"""Identity: activation (ACC-1, ACC-2), credentials (ACC-3..5), sign-in (ACC-6, ACC-8),
password reset, OAuth applications, JWT credentials and API tokens."""
