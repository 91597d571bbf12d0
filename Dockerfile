# syntax=docker/dockerfile:1
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY src/Sosyabot.Web/Sosyabot.Web.csproj src/Sosyabot.Web/
RUN dotnet restore src/Sosyabot.Web/Sosyabot.Web.csproj
COPY src/Sosyabot.Web/ src/Sosyabot.Web/
RUN dotnet publish src/Sosyabot.Web/Sosyabot.Web.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
COPY --from=build /app ./
ENV PORT=8080 \
    DOTNET_ENVIRONMENT=Production
EXPOSE 8080
USER app
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
# Migrations first (idempotent), then the app.
ENTRYPOINT ["sh", "-c", "dotnet Sosyabot.Web.dll migrate && exec dotnet Sosyabot.Web.dll"]
