# syntax=docker/dockerfile:1
# Two images from one file: the app (the default, last stage) and, with --target xsandbox, the local
# stand-in for X used by `docker compose --profile sandbox`.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY src/Sosyabot.Web/Sosyabot.Web.csproj src/Sosyabot.Web/
COPY src/Sosyabot.XSandbox/Sosyabot.XSandbox.csproj src/Sosyabot.XSandbox/
RUN dotnet restore src/Sosyabot.Web/Sosyabot.Web.csproj && dotnet restore src/Sosyabot.XSandbox/Sosyabot.XSandbox.csproj
COPY src/ src/
RUN dotnet publish src/Sosyabot.Web/Sosyabot.Web.csproj -c Release -o /out/app --no-restore \
 && dotnet publish src/Sosyabot.XSandbox/Sosyabot.XSandbox.csproj -c Release -o /out/xsandbox --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime-base
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
ENV DOTNET_ENVIRONMENT=Production

FROM runtime-base AS xsandbox
WORKDIR /xsandbox
COPY --from=build /out/xsandbox ./
ENV ASPNETCORE_URLS=http://0.0.0.0:5090
EXPOSE 5090
USER app
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 CMD curl -fsS http://127.0.0.1:5090/ -o /dev/null || exit 1
ENTRYPOINT ["dotnet", "Sosyabot.XSandbox.dll"]

FROM runtime-base AS app
WORKDIR /app
COPY --from=build /out/app ./
ENV PORT=8080
EXPOSE 8080
# The aspnet image's unprivileged user (uid 1654): the app needs no root and writes nothing to disk.
USER app
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 CMD curl -fsS http://127.0.0.1:8080/healthz -o /dev/null || exit 1
# `docker run IMAGE migrate` applies migrations and exits; compose runs that once before the app starts.
# The app itself refuses to start without DATA_PROTECTION_KEY (the key-encryption key of the key ring in the
# database): give it at run time (`docker run -e DATA_PROTECTION_KEY=...`, compose takes it from .env), never in the image.
ENTRYPOINT ["dotnet", "Sosyabot.Web.dll"]
