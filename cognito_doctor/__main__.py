"""`python -m cognito_doctor` runs the command line."""

from cognito_doctor.cli import main

main()
