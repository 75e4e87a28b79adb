using Npgsql;

namespace SloMonitor.Storage;

/// <summary>Builds the one <see cref="NpgsqlDataSource"/> the service opens every connection from.</summary>
public static class DataSourceFactory
{
    public static NpgsqlDataSource Create(string connectionString, string applicationName = "slomonitor")
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = applicationName;
        }

        return new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
    }
}
