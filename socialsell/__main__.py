"""`python -m socialsell` runs the command line."""

from socialsell.cli import main

main()
