@_exported import PostgresClient
