"""Allow ``python -m telephonist``."""

from telephonist.cli import main

main()
