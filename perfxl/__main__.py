"""`python -m perfxl` runs the command line."""

from .cli import main

main()
