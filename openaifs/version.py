"""The version of openaifs (its own module, so that no part of the package imports the
package itself to learn it)."""

__version__ = "0.1.0"
